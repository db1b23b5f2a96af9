module rhetor

go 1.26.8

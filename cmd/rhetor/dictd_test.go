package main

import (
	"testing"

	"rhetor/internal/dictdtest"
)

// testDictionaries writes small dictionaries, in the dictd layout and the
// formats of the Debian packages `train --pivot` reads, for every language
// it knows, and returns their folder (for --dictionaries): the training
// commands' tests run without the Debian packages.
func testDictionaries(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	write := func(name string, arts []dictdtest.Article) {
		if err := dictdtest.Write(dir, name, arts...); err != nil {
			t.Fatal(err)
		}
	}
	forward := func(pairs ...string) []dictdtest.Article {
		var out []dictdtest.Article
		for i := 0; i+1 < len(pairs); i += 2 {
			out = append(out, dictdtest.Article{Head: pairs[i], Body: pairs[i] + " /x/ <n>\n" + pairs[i+1] + "\n"})
		}
		return out
	}
	write("freedict-deu-eng", forward("Regierung", "government", "Verräter", "traitor", "Krieg", "war"))
	write("freedict-fra-eng", forward("gouvernement", "government", "traîtres", "traitors", "guerre", "war"))
	write("freedict-ita-eng", forward("governo", "government", "traditori", "traitors", "guerra", "war"))
	write("freedict-spa-eng", forward("gobierno", "government", "traidores", "traitors", "guerra", "war"))
	write("freedict-eng-pol", forward("government", "rząd", "traitor", "zdrajca", "war", "wojna"))
	write("mueller7", []dictdtest.Article{
		{Head: "government", Body: "government\n   [x] _n. правительство\n"},
		{Head: "traitor", Body: "traitor\n   [x] _n. предатель\n"},
		{Head: "war", Body: "war\n   [x] _n. война\n"},
	})
	return dir
}

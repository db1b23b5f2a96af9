package model

import "testing"

func TestDropsNameFragments(t *testing.T) {
	cases := []struct {
		technique, lang string
		want            bool
	}{
		{"Name_Calling-Labeling", "fr", true},
		{"Name_Calling-Labeling", "en", true},
		{"Name_Calling-Labeling", "es", true},
		{"Name_Calling-Labeling", "de", false},
		{"Loaded_Language", "fr", true},
		{"Loaded_Language", "it", true},
		{"Loaded_Language", "es", true},
		{"Loaded_Language", "en", false},
		{"Loaded_Language", "de", false},
		{"Doubt", "fr", false},
		{"Guilt_by_Association", "it", false},
	}
	for _, c := range cases {
		if got := DropsNameFragments(c.technique, c.lang); got != c.want {
			t.Errorf("DropsNameFragments(%q, %q) = %v, want %v", c.technique, c.lang, got, c.want)
		}
	}
}

package extract

import (
	"errors"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

const page = `<!doctype html>
<html lang="fr-FR">
<head>
<title>Le budget adopté | Le Journal</title>
<meta property="article:published_time" content="2023-04-05T08:30:00+02:00">
<meta name="author" content="Marie Dupont">
<script>window.__pwned = 1</script>
<style>p { color: red }</style>
</head>
<body>
<nav><ul><li><a href="/">Accueil</a></li><li><a href="/politique">Politique</a></li><li><a href="/sport">Sport</a></li></ul></nav>
<div class="ad">Abonnez-vous pour 1 euro !</div>
<article>
<h1>Le budget adopté</h1>
<p>Le Parlement a adopté mardi le budget de l'État pour l'année prochaine, après trois semaines de débats souvent houleux entre la majorité et l'opposition.</p>
<p>Les    députés de l'opposition ont dénoncé un texte « injuste » qui, selon eux, sacrifie les services publics au profit des entreprises les plus riches du pays.</p>
<p>Le ministre des Finances a défendu une loi « responsable », rappelant que le déficit devait revenir sous la barre des trois pour cent d'ici deux ans.</p>
</article>
<aside class="comments"><h3>Commentaires</h3><p>Super article</p></aside>
<footer><p>© Le Journal 2023 — Mentions légales — Contact</p></footer>
</body>
</html>`

func TestHTML(t *testing.T) {
	doc, err := HTML(page, "https://journal.example/politique/budget")
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(doc.Text, "\n")
	if len(lines) != 7 || !strings.HasPrefix(lines[0], "Le budget adopté") || lines[1] != "" || !strings.HasPrefix(lines[2], "Le Parlement a adopté mardi") ||
		!strings.HasPrefix(lines[4], "Les députés de l'opposition") || !strings.HasPrefix(lines[6], "Le ministre des Finances") {
		t.Errorf("text:\n%s", doc.Text)
	}
	for _, clutter := range []string{"Accueil", "Abonnez-vous", "Super article", "Mentions légales", "__pwned", "color: red"} {
		if strings.Contains(doc.Text, clutter) {
			t.Errorf("the text keeps %q:\n%s", clutter, doc.Text)
		}
	}
	if doc.Lang != "fr" || doc.Date != "2023-04-05" || doc.Byline != "Marie Dupont" || !strings.HasPrefix(doc.Title, "Le budget adopté") {
		t.Errorf("document %+v", doc)
	}
	if _, err := HTML(page, "javascript:alert(1)"); !errors.Is(err, ErrBadURL) {
		t.Error("a javascript: URL was accepted")
	}
	if _, err := HTML("<html><body></body></html>", ""); !errors.Is(err, ErrNoArticle) {
		t.Errorf("empty page: %v, want ErrNoArticle", err)
	}
}

func TestParagraphs(t *testing.T) {
	for in, want := range map[string]string{
		"\n\n a \t b \n\n\n\n c\n": "a b\n\nc",
		"a\nb":                     "a\nb",
		"a\x00b\u00a0c":            "a b c",
		"\xff x":                   "\uFFFD x",
		"   \n \n":                 "",
	} {
		if got := paragraphs(in); got != want {
			t.Errorf("paragraphs(%q) = %q, want %q", in, got, want)
		}
	}
}

// FuzzHTML checks that any page gives an error or a text in rhetor's
// layout: valid UTF-8, lines without control characters or surrounding
// space, no blank line at either end nor two in a row.
func FuzzHTML(f *testing.F) {
	f.Add(page)
	f.Add("<p>one</p><p>two</p>")
	f.Add("<html><body><div><p>a<p>b</div><template><p>c</template></body></html>")
	f.Add("<script>x</script>\x00<p>\xff</p>")
	f.Fuzz(func(t *testing.T, in string) {
		doc, err := HTML(in, "")
		if err != nil {
			return
		}
		if !utf8.ValidString(doc.Text) || doc.Text == "" || strings.Contains(doc.Text, "\n\n\n") ||
			strings.HasPrefix(doc.Text, "\n") || strings.HasSuffix(doc.Text, "\n") {
			t.Fatalf("text %q", doc.Text)
		}
		for _, l := range strings.Split(doc.Text, "\n") {
			if strings.TrimSpace(l) != l || strings.ContainsFunc(l, unicode.IsControl) {
				t.Fatalf("line %q", l)
			}
		}
		if strings.Contains(doc.Title, "\n") {
			t.Fatalf("title %q", doc.Title)
		}
	})
}

package lang

import (
	"bytes"
	"encoding/json"
	"math"
	"slices"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestNormalize(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"en", "en"}, {"fr", "fr"}, {"ge", "de"}, {"it", "it"}, {"po", "pl"},
		{"ru", "ru"}, {"es", "es"}, {"gr", "el"}, {"ka", "ka"},
		{"de", "de"}, {"pl", "pl"}, {"el", "el"}, {"uk", "uk"}, {"nl", "nl"}, {"zh", "zh"},
		{"EN", "en"}, {" Ge ", "de"}, {"GR", "el"}, {"Po", "pl"},
		{"en-GB", "en"}, {"pt_BR", "pt"}, {"deu", "de"}, {"ger", "de"}, {"ell", "el"},
		{"pol", "pl"}, {"kat", "ka"}, {"ukr", "uk"}, {"und", "und"},
	} {
		got, err := Normalize(c.in)
		if err != nil || got != c.want {
			t.Errorf("Normalize(%q) = %q, %v; want %q", c.in, got, err, c.want)
		}
	}
	for _, in := range []string{"", "x", "xx", "eng1", "zz", "-en", "e|", "|e", "a:", "english", "\xff\xfe"} {
		if got, err := Normalize(in); err == nil {
			t.Errorf("Normalize(%q) = %q, want an error", in, got)
		}
	}
}

func TestTaskCode(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"de", "ge"}, {"pl", "po"}, {"el", "gr"},
		{"en", "en"}, {"fr", "fr"}, {"it", "it"}, {"ru", "ru"}, {"es", "es"}, {"ka", "ka"},
		{"ge", "ge"}, {"po", "po"}, {"gr", "gr"}, {"DE", "ge"}, {"deu", "ge"},
		{"uk", "uk"}, {"nl", "nl"}, {"zz", "zz"}, {"", ""},
	} {
		if got := TaskCode(c.in); got != c.want {
			t.Errorf("TaskCode(%q) = %q, want %q", c.in, got, c.want)
		}
	}
	for _, folder := range TaskFolders() {
		iso, err := Normalize(folder)
		if err != nil {
			t.Fatal(err)
		}
		if TaskCode(iso) != folder {
			t.Errorf("TaskCode(Normalize(%q)) = %q", folder, TaskCode(iso))
		}
	}
}

func TestName(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"de", "German"}, {"ge", "German"}, {"el", "Greek"}, {"ka", "Georgian"},
		{"uk", "Ukrainian"}, {"und", "Undetermined"}, {"zu", "Zulu"}, {"aa", "Afar"}, {"zz", ""},
	} {
		if got := Name(c.in); got != c.want {
			t.Errorf("Name(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestLanguages(t *testing.T) {
	m, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	got := m.Languages()
	want := []string{"en", "fr", "de", "it", "pl", "ru", "es", "el", "ka"}
	if !slices.Equal(got, want) {
		t.Errorf("Languages() = %v, want %v", got, want)
	}
	got[0] = "xx"
	if m.Languages()[0] != "en" {
		t.Error("Languages exposes the model's own slice")
	}
}

// sentences are the same news sentence in every trained language.
var sentences = []struct{ code, script, text string }{
	{"en", "Latin", "The government announced today that taxes will rise next year, while the opposition is demanding an investigation into the ministry's spending."},
	{"de", "Latin", "Die Regierung hat heute angekündigt, dass die Steuern im nächsten Jahr steigen werden, während die Opposition eine Untersuchung der Ausgaben des Ministeriums fordert."},
	{"es", "Latin", "El gobierno anunció hoy que los impuestos subirán el próximo año, mientras la oposición exige una investigación sobre los gastos del ministerio."},
	{"fr", "Latin", "Le gouvernement a annoncé aujourd'hui que les impôts augmenteront l'année prochaine, tandis que l'opposition réclame une enquête sur les dépenses du ministère."},
	{"it", "Latin", "Il governo ha annunciato oggi che le tasse aumenteranno l'anno prossimo, mentre l'opposizione chiede un'indagine sulle spese del ministero."},
	{"pl", "Latin", "Rząd ogłosił dzisiaj, że podatki wzrosną w przyszłym roku, podczas gdy opozycja domaga się śledztwa w sprawie wydatków ministerstwa."},
	{"ru", "Cyrillic", "Правительство сегодня объявило, что налоги вырастут в следующем году, в то время как оппозиция требует расследования расходов министерства."},
	{"el", "Greek", "Η κυβέρνηση ανακοίνωσε σήμερα ότι οι φόροι θα αυξηθούν τον επόμενο χρόνο, ενώ η αντιπολίτευση ζητά έρευνα για τις δαπάνες του υπουργείου."},
	{"ka", "Georgian", "მთავრობამ დღეს გამოაცხადა, რომ მომავალ წელს გადასახადები გაიზრდება, ოპოზიცია კი სამინისტროს ხარჯების გამოძიებას ითხოვს."},
}

func TestDetectSentences(t *testing.T) {
	for _, s := range sentences {
		r := Detect(s.text)
		if r.Code != s.code || r.Script != s.script || !r.Known || r.Name != Name(s.code) || r.Confidence < 0.9 {
			t.Errorf("Detect(%.30q) = %+v, want %s (%s) with confidence >= 0.9", s.text, r, s.code, s.script)
		}
		// Upper case, extra punctuation and digits change nothing.
		if u := Detect(strings.ToUpper(s.text) + " 123 !!!"); u.Code != s.code {
			t.Errorf("Detect(upper %.30q) = %+v, want %s", s.text, u, s.code)
		}
	}
}

func TestDetectShortTextsAreLessConfident(t *testing.T) {
	long := Detect(sentences[0].text)
	short := Detect("Taxes will rise.")
	word := Detect("tax")
	if !(word.Confidence < short.Confidence && short.Confidence < long.Confidence) {
		t.Errorf("confidence should grow with length: %v, %v, %v", word.Confidence, short.Confidence, long.Confidence)
	}
	if word.Confidence > 0.6 {
		t.Errorf("Detect(%q) = %+v: too confident for one word", "tax", word)
	}
}

// TestDetectOtherLanguages checks that languages the model lacks are not
// reported with confidence as one it has. Dutch, Swedish, Catalan and
// Bulgarian are close enough to a trained language to fool it at sentence
// length, so only clearer cases are asserted.
func TestDetectOtherLanguages(t *testing.T) {
	for _, s := range []struct{ code, text string }{
		{"pt", "O governo anunciou hoje que os impostos vão aumentar no próximo ano, enquanto a oposição pede uma investigação sobre os gastos do ministério."},
		{"cs", "Vláda dnes oznámila, že daně příští rok vzrostou, zatímco opozice požaduje vyšetřování výdajů ministerstva."},
		{"tr", "Hükümet bugün vergilerin gelecek yıl artacağını açıkladı, muhalefet ise bakanlığın harcamaları hakkında soruşturma istiyor."},
		{"ro", "Guvernul a anunțat astăzi că impozitele vor crește anul viitor, în timp ce opoziția cere o anchetă privind cheltuielile ministerului."},
		{"id", "Pemerintah hari ini mengumumkan bahwa pajak akan naik tahun depan, sementara oposisi meminta penyelidikan atas pengeluaran kementerian."},
		{"hr", "Vlada je danas objavila da će porezi sljedeće godine porasti, dok oporba traži istragu o troškovima ministarstva."},
		{"nl", "De regering heeft vandaag aangekondigd dat de belastingen volgend jaar zullen stijgen, terwijl de oppositie om een onderzoek vraagt naar de uitgaven van het ministerie."},
	} {
		if r := Detect(s.text); r.Confidence >= 0.5 {
			t.Errorf("%s: Detect(%.30q) = %+v, want confidence < 0.5", s.code, s.text, r)
		}
	}
	for _, s := range []struct{ code, text string }{
		{"uk", "Уряд сьогодні оголосив, що податки зростуть наступного року, тоді як опозиція вимагає розслідування витрат міністерства."},
		{"uk", "Їжак"},
		{"sr", "Влада је данас објавила да ће порези следеће године порасти, док опозиција тражи истрагу о трошковима министарства."},
		{"be", "Урад сёння абвясціў, што падаткі вырастуць у наступным годзе, а апазіцыя патрабуе расследавання выдаткаў міністэрства."},
	} {
		r := Detect(s.text)
		if r.Code != s.code || r.Known || r.Script != "Cyrillic" || r.Confidence > 0.5 {
			t.Errorf("Detect(%.30q) = %+v, want %s, unknown, confidence <= 0.5", s.text, r, s.code)
		}
	}
	// A Russian text naming a Ukrainian city stays Russian.
	if r := Detect("Вчера в Києві прошли переговоры представителей обеих стран, которые продолжались несколько часов."); r.Code != "ru" {
		t.Errorf("Russian text with a Ukrainian name: %+v", r)
	}
}

func TestDetectUnknownScripts(t *testing.T) {
	for _, c := range []struct{ script, text string }{
		{"Arabic", "أعلنت الحكومة اليوم أن الضرائب سترتفع العام المقبل"},
		{"Hebrew", "הממשלה הודיעה היום כי המסים יעלו בשנה הבאה"},
		{"Han", "政府今天宣布明年将提高税收"},
		{"Hangul", "정부는 오늘 내년에 세금이 오를 것이라고 발표했다"},
		{"Devanagari", "सरकार ने आज घोषणा की कि अगले साल कर बढ़ेंगे"},
		{"Armenian", "Կառավարությունը այսօր հայտարարեց, որ հարկերը կբարձրանան"},
		{"Thai", "รัฐบาลประกาศวันนี้ว่าภาษีจะเพิ่มขึ้นในปีหน้า"},
		{"Ethiopic", "መንግሥት ዛሬ ግብር እንደሚጨምር አስታወቀ"},
	} {
		r := Detect(c.text)
		if r.Code != Undetermined || r.Known || r.Script != c.script || r.Confidence > 0.1 || r.Name != "Undetermined" {
			t.Errorf("Detect(%.20q) = %+v, want und in %s", c.text, r, c.script)
		}
	}
}

func TestDetectGarbage(t *testing.T) {
	huge := strings.Repeat("Ceci est un texte très long écrit en français. ", 200000)
	for _, text := range []string{
		"", " ", "\n\n\t", "12345 67.89", "!!!???...", "\xff\xfe\xfd", "\x00\x01\x02",
		"€$£¥ 100%", "🙂🙃🚀", strings.Repeat("\xff", 5000), "a\xffb\xfec", "_______",
		"ŧŧŧ ŋŋŋ ħħħ", "xqzj", huge,
	} {
		r := Detect(text)
		if r.Code == "" || r.Name == "" || !(r.Confidence >= 0 && r.Confidence <= 1) {
			t.Errorf("Detect(%.20q) = %+v", text, r)
		}
		if utf8.RuneCountInString(text) > 0 && r.Code == Undetermined && r.Known {
			t.Errorf("Detect(%.20q) = %+v: und cannot be known", text, r)
		}
	}
	for _, text := range []string{"", "12345", "\xff\xfe", "🙂🙃"} {
		if r := Detect(text); r != (Result{Code: "und", Name: "Undetermined"}) {
			t.Errorf("Detect(%q) = %+v, want und with no script and zero confidence", text, r)
		}
	}
	if r := Detect(huge); r.Code != "fr" || r.Confidence < 0.99 {
		t.Errorf("Detect(huge French) = %+v", r)
	}
	if r := Detect("ŧŧŧ ŋŋŋ ħħħ"); r.Confidence > 0.1 {
		t.Errorf("letters the model never saw: %+v, want confidence <= 0.1", r)
	}
}

func TestDetectOnlyLooksAtPrefix(t *testing.T) {
	head := strings.Repeat("Dies ist ein deutscher Satz über die Politik. ", 60)
	if utf8.RuneCountInString(head) < MaxRunes {
		t.Fatal("head too short")
	}
	r1 := Detect(head)
	r2 := Detect(head + strings.Repeat("This is an English sentence about politics. ", 1000))
	if r1 != r2 {
		t.Errorf("text after the first MaxRunes runes changed the result: %+v vs %+v", r1, r2)
	}
}

func TestDetectDeterministic(t *testing.T) {
	for _, s := range sentences {
		want := Detect(s.text)
		for range 3 {
			if got := Detect(s.text); got != want {
				t.Fatalf("Detect(%.30q) changed: %+v vs %+v", s.text, got, want)
			}
		}
		m, err := Load(bytes.NewReader(modelBin))
		if err != nil {
			t.Fatal(err)
		}
		if got := m.Detect(s.text); got != want {
			t.Errorf("a freshly loaded model disagrees: %+v vs %+v", got, want)
		}
	}
}

func TestNilModel(t *testing.T) {
	var m *Model
	if r := m.Detect("Bonjour tout le monde"); r.Code != "und" || r.Script != "Latin" || r.Known {
		t.Errorf("nil model: %+v", r)
	}
	if r := (&Model{}).Detect("Γεια σου κόσμε"); r.Code != "und" || r.Script != "Greek" {
		t.Errorf("zero model: %+v", r)
	}
	if m.Languages() != nil {
		t.Error("nil model has languages")
	}
}

func TestResultJSON(t *testing.T) {
	b, err := json.Marshal(Detect(sentences[1].text))
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"code", "name", "confidence", "script", "known"} {
		if _, ok := m[k]; !ok {
			t.Errorf("JSON %s lacks %q", b, k)
		}
	}
	if m["code"] != "de" || m["known"] != true {
		t.Errorf("JSON %s", b)
	}
}

func TestLoadRejectsDamagedModels(t *testing.T) {
	if len(modelBin) < 1000 {
		t.Fatalf("embedded model is only %d bytes", len(modelBin))
	}
	if _, err := Load(bytes.NewReader(modelBin)); err != nil {
		t.Fatal(err)
	}
	// Every truncation, and a sample of single-byte corruptions, fails.
	for n := 0; n < len(modelBin); n += 1 + n/64 {
		if _, err := Load(bytes.NewReader(modelBin[:n])); err == nil {
			t.Fatalf("Load accepted the model cut to %d bytes", n)
		}
	}
	for i := 0; i < len(modelBin); i += 997 {
		b := bytes.Clone(modelBin)
		b[i] ^= 0x40
		if _, err := Load(bytes.NewReader(b)); err == nil {
			t.Fatalf("Load accepted the model with byte %d flipped", i)
		}
	}
	if _, err := Load(bytes.NewReader(append(bytes.Clone(modelBin), 0))); err == nil {
		t.Fatal("Load accepted trailing garbage")
	}
}

func TestHeldOutSplit(t *testing.T) {
	// The split of model.bin's training run: if HeldOut changed, articles
	// the model was trained on would enter TestHeldOutAccuracy (and
	// TestModelUpToDate would fail only where the release is present).
	for id, want := range map[string]bool{
		"111111111": true, "696694812": false, "999001138": false,
		"3": true, "6": true, "7": false, "00001": false,
	} {
		if got := HeldOut(id); got != want {
			t.Errorf("HeldOut(%q) = %v, want %v: the split changed", id, got, want)
		}
	}
	n := 0
	for i := range 10000 {
		if HeldOut(strconv.Itoa(100 + i*7)) {
			n++
		}
	}
	if frac := float64(n) / 10000; math.Abs(frac-0.2) > 0.03 {
		t.Errorf("HeldOut keeps %.3f of IDs, want about 0.2", frac)
	}
}

func TestDetectConcurrent(t *testing.T) {
	done := make(chan Result)
	for i := range 8 {
		go func() { done <- Detect(sentences[i%len(sentences)].text) }()
	}
	for range 8 {
		if r := <-done; !r.Known {
			t.Errorf("concurrent Detect: %+v", r)
		}
	}
}

func TestStopwords(t *testing.T) {
	for _, c := range []struct {
		code       string
		stop, word []string
	}{
		{"fr", []string{"dans", "le", "de", "la", "qui", "a"}, []string{"terroristes", "mercenaires", "sultan"}},
		{"it", []string{"che", "gli", "un", "a"}, []string{"terroristi", "golpe"}},
		{"en", []string{"the", "of", "and"}, []string{"traitors", "terrorists"}},
		{"de", []string{"und", "der"}, []string{"verräter"}},
		{"pl", []string{"i", "w", "się"}, []string{"zdrajcy"}},
		{"ru", []string{"и", "в", "не"}, []string{"террористы"}},
		{"es", []string{"el", "de", "que"}, []string{"terroristas"}},
		{"el", []string{"και", "το"}, []string{"τρομοκράτες"}},
		{"ka", []string{"და", "რომ"}, []string{"ტერორისტები"}},
	} {
		s := StopwordsFor(c.code)
		for _, w := range c.stop {
			if !s.Contains(w) {
				t.Errorf("%s: %q is not a stop word", c.code, w)
			}
		}
		for _, w := range c.word {
			if s.Contains(w) {
				t.Errorf("%s: %q is a stop word", c.code, w)
			}
		}
	}
	// A language without a list gets every list together.
	if all := StopwordsFor("und"); !all.Contains("dans") || !all.Contains("და") {
		t.Error("the fallback set lacks French or Georgian stop words")
	}
	var none *Stopwords
	if none.Contains("the") {
		t.Error("a nil set contains a word")
	}
}

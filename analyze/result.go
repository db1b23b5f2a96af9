// Package analyze is the library a caller uses: an Analyzer applies a
// trained model to articles and returns, for each, its language, genre,
// frames and per-paragraph persuasion techniques with scores and the evidence
// behind each decision. The JSON form of Result is the schema of
// `rhetor analyze --json` and of the web API.
package analyze

// Result is the analysis of one article. All offsets (start, end) are in
// Unicode code points of the article text as given, end exclusive.
type Result struct {
	ID     string `json:"id"`
	Source string `json:"source,omitempty"`
	URL    string `json:"url,omitempty"`
	Date   string `json:"date,omitempty"`
	// Language is the article's language, detected or given.
	Language Language `json:"language"`
	// Reliable is false when the language has no training data or was
	// detected with low confidence; Warnings then say why.
	Reliable bool     `json:"reliable"`
	Warnings []string `json:"warnings,omitempty"`
	// Coverage is the share of the text's letters written in the scripts
	// of the model's training languages (see Coverage).
	Coverage float64 `json:"coverage"`
	// Abstentions name the subtasks the model cannot tell for this text
	// (its features barely cover it): their decisions are left empty (no
	// genre label, no frame selected, no technique), which then means "cannot
	// tell", not "none found". The result is then not Reliable.
	Abstentions []Abstention `json:"abstentions,omitempty"`
	// Genre is the subtask-1 decision.
	Genre Genre `json:"genre"`
	// Frames lists all 14 frames by descending score; Selected marks the
	// subtask-2 decision.
	Frames []Label `json:"frames"`
	// Paragraphs lists every non-blank line with the techniques decided for it.
	Paragraphs []Paragraph `json:"paragraphs"`
	// Thresholds are the decision thresholds applied.
	Thresholds Thresholds `json:"thresholds"`
	// Model names the model used.
	Model string `json:"model"`
	// ModelID identifies the model for stores (model.Model.ID: the name
	// and the model file's checksum); it is not part of the JSON result.
	ModelID string `json:"-"`
}

// Language identifies the article's language.
type Language struct {
	// Code is an ISO 639-1 code ("und" when unknown).
	Code string `json:"code"`
	Name string `json:"name"`
	// Script is the dominant writing system of the text ("" when given).
	Script string `json:"script,omitempty"`
	// Confidence is the identifier's confidence, 1 when the language was given.
	Confidence float64 `json:"confidence"`
	// Given is true when the caller named the language.
	Given bool `json:"given"`
	// Trained is true when the model had training data in this language.
	Trained bool `json:"trained"`
}

// Genre is the subtask-1 decision with the probability of each genre.
type Genre struct {
	Label         string             `json:"label"`
	Probabilities map[string]float64 `json:"probabilities"`
}

// Label is one label's score; Evidence is given for selected labels.
type Label struct {
	Label    string     `json:"label"`
	Score    float64    `json:"score"`
	Selected bool       `json:"selected"`
	Evidence []Evidence `json:"evidence,omitempty"`
}

// Paragraph is one line of the article (numbered from 1 as in the task's files).
type Paragraph struct {
	Line       int         `json:"line"`
	Start      int         `json:"start"`
	End        int         `json:"end"`
	Text       string      `json:"text"`
	Techniques []Technique `json:"techniques"`
	// Spans locate the paragraph's techniques: every technique listed has at
	// least one span unless its Located is false.
	Spans []Span `json:"spans"`
}

// Span is a fragment of the article that uses a technique. Start and End
// are code points of the article text, within the paragraph.
type Span struct {
	Technique string  `json:"technique"`
	Start     int     `json:"start"`
	End       int     `json:"end"`
	Text      string  `json:"text"`
	Score     float64 `json:"score"`
}

// Technique is a technique decided for a paragraph.
type Technique struct {
	Technique string     `json:"technique"`
	Score     float64    `json:"score"`
	Evidence  []Evidence `json:"evidence"`
	// Located is false when the model could not place the technique in the
	// paragraph; NotLocated then says why (a paragraph too long to be
	// analysed word by word, a score too close to the threshold, or no
	// words that the fragment model finds carrying the technique).
	Located    bool   `json:"located"`
	NotLocated string `json:"not_located,omitempty"`
}

// Evidence is a word or phrase of the text that pushed a decision, with its
// share of the decision's margin.
type Evidence struct {
	Text   string  `json:"text"`
	Start  int     `json:"start"`
	End    int     `json:"end"`
	Weight float64 `json:"weight"`
}

// Thresholds are the decision thresholds used for an article.
type Thresholds struct {
	Frames     float64 `json:"frames"`
	Techniques float64 `json:"techniques"`
	// Spans is the token-probability threshold of the span decoder.
	Spans float64 `json:"spans"`
	// Calibrated names the heads ("frames", "techniques") whose threshold
	// was moved for this article: its language has no training data, and
	// under the threshold for such languages its label rate fell outside
	// the band around the training languages' rate, or (frames of a model
	// whose frame calibration is relative: nearly always) the threshold was
	// set from the article's best score (model.Calibration).
	Calibrated []string `json:"calibrated,omitempty"`
}

// Abstention says that the model cannot tell one subtask for an article.
type Abstention struct {
	// Subtask is "genre", "frames" or "techniques".
	Subtask string `json:"subtask"`
	// Reason says why, in words.
	Reason string `json:"reason"`
	// Coverage is the Result's coverage figure the decision was taken on.
	Coverage float64 `json:"coverage"`
}

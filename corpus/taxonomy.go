// Package corpus reads and writes the SemEval-2023 Task 3 file formats: articles
// (article<ID>.txt, one paragraph per line), genre, frame and technique label
// files, and the label taxonomy itself.
package corpus

// Genres are the subtask-1 labels, in the official order.
var Genres = []string{"opinion", "reporting", "satire"}

// Frames are the 14 subtask-2 labels, in the official order.
var Frames = []string{
	"Economic",
	"Capacity_and_resources",
	"Morality",
	"Fairness_and_equality",
	"Legality_Constitutionality_and_jurisprudence",
	"Policy_prescription_and_evaluation",
	"Crime_and_punishment",
	"Security_and_defense",
	"Health_and_safety",
	"Quality_of_life",
	"Cultural_identity",
	"Public_opinion",
	"Political",
	"External_regulation_and_reputation",
}

// Techniques are the 23 subtask-3 labels, in the official order.
var Techniques = []string{
	"Appeal_to_Authority",
	"Appeal_to_Popularity",
	"Appeal_to_Values",
	"Appeal_to_Fear-Prejudice",
	"Flag_Waving",
	"Causal_Oversimplification",
	"False_Dilemma-No_Choice",
	"Consequential_Oversimplification",
	"Straw_Man",
	"Red_Herring",
	"Whataboutism",
	"Slogans",
	"Appeal_to_Time",
	"Conversation_Killer",
	"Loaded_Language",
	"Repetition",
	"Exaggeration-Minimisation",
	"Obfuscation-Vagueness-Confusion",
	"Name_Calling-Labeling",
	"Doubt",
	"Guilt_by_Association",
	"Appeal_to_Hypocrisy",
	"Questioning_the_Reputation",
}

// Category groups techniques as in the task's annotation guidelines.
type Category struct {
	Name       string
	Techniques []string
}

// Categories are the six technique categories of the annotation guidelines.
var Categories = []Category{
	{"Attack on reputation", []string{"Name_Calling-Labeling", "Guilt_by_Association", "Doubt", "Appeal_to_Hypocrisy", "Questioning_the_Reputation"}},
	{"Justification", []string{"Flag_Waving", "Appeal_to_Authority", "Appeal_to_Popularity", "Appeal_to_Values", "Appeal_to_Fear-Prejudice"}},
	{"Simplification", []string{"Causal_Oversimplification", "False_Dilemma-No_Choice", "Consequential_Oversimplification"}},
	{"Distraction", []string{"Straw_Man", "Red_Herring", "Whataboutism"}},
	{"Call", []string{"Slogans", "Conversation_Killer", "Appeal_to_Time"}},
	{"Manipulative wording", []string{"Loaded_Language", "Obfuscation-Vagueness-Confusion", "Exaggeration-Minimisation", "Repetition"}},
}

// Subtask names a SemEval-2023 Task 3 subtask.
type Subtask int

const (
	// Genre is subtask 1: news genre categorisation (single label per article).
	Genre Subtask = 1
	// Framing is subtask 2: framing detection (multi-label per article).
	Framing Subtask = 2
	// Persuasion is subtask 3: persuasion techniques (multi-label per paragraph).
	Persuasion Subtask = 3
)

// Labels returns the official label list of a subtask, or nil for an unknown subtask.
func (s Subtask) Labels() []string {
	switch s {
	case Genre:
		return Genres
	case Framing:
		return Frames
	case Persuasion:
		return Techniques
	}
	return nil
}

// LabelIndex maps each label of a list to its position.
func LabelIndex(labels []string) map[string]int {
	m := make(map[string]int, len(labels))
	for i, l := range labels {
		m[l] = i
	}
	return m
}

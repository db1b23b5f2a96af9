// Package eval implements the official metrics of SemEval-2023 Task 3
// ("Detecting the Category, the Framing, and the Persuasion Techniques in
// Online News in a Multi-lingual Setup") and reads the task's label files the
// way its scorers do.
//
// The numbers are those of the official scorers, which call scikit-learn:
//
//   - Subtask 1 (news genre, one label per article) is scored with
//     f1_score(gold, pred, average='macro') — the official ranking metric —
//     and average='micro', which for single-label data equals accuracy. The
//     macro average runs over the sorted union of the labels that occur in gold
//     or prediction, not over the full genre list, and uses scikit-learn's
//     default zero_division ("warn", which yields 0): a label that is never
//     predicted has precision 0.
//   - Subtasks 2 (framing, several labels per article) and 3 (persuasion
//     techniques, several labels per paragraph) binarise gold and prediction
//     over the official label list (MultiLabelBinarizer(classes=labels)) and
//     call f1_score(..., average='micro'|'macro', zero_division=1). Micro-F1
//     is the official ranking metric. With zero_division=1 a label with no
//     predictions has precision 1, a label with no gold occurrences has recall
//     1, and a label with neither (tp+fp+fn == 0) has F1 1; the micro scores
//     follow the same rule on the summed counts, so an all-empty prediction
//     against an all-empty gold scores 1 and against a non-empty gold scores 0.
//
// F1 is computed as scikit-learn ≥ 1.3 does, 2·tp / (2·tp + fp + fn) on the
// integer counts (falling back to zero_division when the denominator is 0),
// and the macro averages add the per-label values in the order of numpy's
// pairwise summation, so the results are bit-identical to the scorers' and not
// merely close. (With zero_division 0 or 1 older scikit-learn versions give
// the same values up to rounding in the last place.)
//
// [ReadLabels] parses the three label-file formats ([corpus.Genre],
// [corpus.Framing], [corpus.Persuasion]) with the scorers' validation — known
// labels only, the right number of columns, no empty or duplicate ids — and
// [Score] aligns a prediction file with a gold file, requiring both to cover
// the same ids. [ScoreSingleLabel], [ScoreMultiLabel] and
// [ScoreMultiLabelBool] score in-memory data, e.g. cross-validation folds.
package eval

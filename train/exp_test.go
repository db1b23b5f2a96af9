//go:build experiment

package train

// The experiment tests (TestExp*, files exp_*_test.go) reproduce the figures
// README.md quotes for settings that were measured and not kept. They train
// on the SemEval-2023 Task 3 release for minutes to hours, so they are built
// only with the "experiment" build tag:
//
//	go test -tags experiment ./train -run 'ExpStack$' -v -timeout 2h
//
// Each test's comment names its README passage, its variants and the
// environment it reads. Common to all:
//
//	RHETOR_DATA          the release (default ../../shared/data/semeval2023-task3);
//	                     a test skips without it
//	RHETOR_EXP_CACHE     the held-out score cache of the span experiments
//	                     (default $TMPDIR/rhetor-exp; see heldOutCached)
//	RHETOR_EXP_SEED      the seed of the span experiments (default 1)
//	RHETOR_EXP_SEEDS     seeds, for the tests that take several
//	RHETOR_EXP_VARIANTS  variants, for the tests that take them

import (
	"context"
	"crypto/sha256"
	"encoding/gob"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"rhetor/corpus"
	"rhetor/feature"
	"rhetor/model"
	"rhetor/pivot"
	"rhetor/span"
)

// defaultReleaseDir is where the release lies beside the repository, seen
// from the package directory.
const defaultReleaseDir = "../../shared/data/semeval2023-task3"

// prepareRelease loads the release from $RHETOR_DATA (default
// defaultReleaseDir) and prepares it with the default features, layout and
// span settings on 2 workers, with the pivot tables of pivot.DefaultDir
// when withPivots is set (as the default model is trained) and without
// any otherwise. It skips the test when the release is absent.
func prepareRelease(t *testing.T, withPivots bool) *Prepared {
	t.Helper()
	dir := os.Getenv("RHETOR_DATA")
	if dir == "" {
		dir = defaultReleaseDir
	}
	if _, err := os.Stat(dir); err != nil {
		t.Skipf("experiment needs the SemEval-2023 Task 3 release (set RHETOR_DATA): %v", err)
	}
	ds, err := corpus.LoadTree(dir)
	if err != nil {
		t.Fatal(err)
	}
	var pv map[string]*pivot.Table
	if withPivots {
		pv = loadPivots(t)
	}
	p, err := PrepareWith(context.Background(), ds, feature.DefaultConfig, model.DefaultLayout, span.DefaultConfig, pv, 2)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// loadPivots loads every language's pivot table from pivot.DefaultDir.
func loadPivots(t *testing.T) map[string]*pivot.Table {
	t.Helper()
	pv, err := pivot.LoadAll(pivot.DefaultDir)
	if err != nil {
		t.Fatalf("pivot tables (install the dictionaries: see README.md, Tests): %v", err)
	}
	return pv
}

// heldOutCached returns heldOut(ctx, p, fold, k, cfg): read from the cache
// when it is there, else computed (minutes) and written to it. The cache
// is the file heldout-seed<S>-<H>.gob in $RHETOR_EXP_CACHE (default
// rhetor-exp in os.TempDir(), created if missing), S being
// cfg.Options.Seed and H the first 8 hex digits of the SHA-256 of
// fmt.Sprintf("%+v", cfg), so that a changed Config does not read another
// one's scores. Nothing else is in the name: after a change to the
// training code, the features, the data or the pivot tables, delete the
// cache, or the experiments read stale scores.
func heldOutCached(t *testing.T, p *Prepared, fold []int, k int, cfg Config) *Scores {
	t.Helper()
	dir := os.Getenv("RHETOR_EXP_CACHE")
	if dir == "" {
		dir = filepath.Join(os.TempDir(), "rhetor-exp")
	}
	sum := sha256.Sum256([]byte(fmt.Sprintf("%+v", cfg)))
	path := filepath.Join(dir, fmt.Sprintf("heldout-seed%d-%s.gob", cfg.Options.Seed, hex.EncodeToString(sum[:4])))
	s := &Scores{}
	if f, err := os.Open(path); err == nil {
		defer f.Close()
		if err := gob.NewDecoder(f).Decode(s); err != nil {
			t.Fatalf("%s: %v (delete it to recompute)", path, err)
		}
		t.Logf("held-out scores read from %s", path)
		return s
	}
	t.Logf("training %d held-out folds; their scores go to %s", k, path)
	s, err := heldOut(context.Background(), p, fold, k, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	// Written beside and renamed, so that an interrupted run leaves no
	// truncated cache.
	f, err := os.CreateTemp(dir, "heldout-*.tmp")
	if err != nil {
		t.Fatal(err)
	}
	defer os.Remove(f.Name())
	if err := gob.NewEncoder(f).Encode(s); err != nil {
		f.Close()
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(f.Name(), path); err != nil {
		t.Fatal(err)
	}
	return s
}

// envList splits the environment variable name into its items, separated
// by spaces or commas; a comma after a colon stays in its item, as a
// separator of the item's parameters (TestExpGenreNB's "mix:0,0.1").
func envList(name string) []string {
	var out []string
	for _, f := range strings.Fields(os.Getenv(name)) {
		if strings.Contains(f, ":") {
			out = append(out, f)
			continue
		}
		for _, x := range strings.Split(f, ",") {
			if x != "" {
				out = append(out, x)
			}
		}
	}
	return out
}

// envVariants returns the variants listed in $RHETOR_EXP_VARIANTS (see
// envList), or def when it lists none.
func envVariants(def ...string) []string {
	if v := envList("RHETOR_EXP_VARIANTS"); len(v) > 0 {
		return v
	}
	return def
}

// envSeeds returns the seeds listed in $RHETOR_EXP_SEEDS (see envList), or
// def when it lists none.
func envSeeds(t *testing.T, def ...uint64) []uint64 {
	t.Helper()
	items := envList("RHETOR_EXP_SEEDS")
	if len(items) == 0 {
		return def
	}
	seeds := make([]uint64, len(items))
	for i, x := range items {
		s, err := strconv.ParseUint(x, 10, 64)
		if err != nil {
			t.Fatalf("RHETOR_EXP_SEEDS: %v", err)
		}
		seeds[i] = s
	}
	return seeds
}

// envSeed returns $RHETOR_EXP_SEED, or 1 when it is unset.
func envSeed(t *testing.T) uint64 {
	t.Helper()
	v := os.Getenv("RHETOR_EXP_SEED")
	if v == "" {
		return 1
	}
	s, err := strconv.ParseUint(v, 10, 64)
	if err != nil {
		t.Fatalf("RHETOR_EXP_SEED: %v", err)
	}
	return s
}

// Command gen trains the language identification model of package
// rhetor/lang from the SemEval-2023 Task 3 articles and writes it as a
// compact binary file (normally lang/model.bin, which the package embeds).
//
// Articles for which lang.HeldOut is true are left out, so that the
// package's tests can measure accuracy on text the model has not seen. The
// output depends only on the data: running gen twice writes identical
// bytes.
//
// Usage, from the repository root:
//
//	go run ./lang/internal/gen -data ../shared/data/semeval2023-task3 -out lang/model.bin
//
// or `go generate ./lang`.
package main

import (
	"flag"
	"fmt"
	"log"
	"os"

	"rhetor/lang/internal/trainset"
)

func main() {
	data := flag.String("data", "../shared/data/semeval2023-task3", "directory of the SemEval-2023 Task 3 data")
	out := flag.String("out", "lang/model.bin", "model file to write")
	verbose := flag.Bool("v", false, "print what was trained")
	flag.Parse()
	log.SetFlags(0)
	log.SetPrefix("gen: ")

	splits, err := trainset.Read(*data)
	if err != nil {
		log.Fatal(err)
	}
	t, err := trainset.Train(splits)
	if err != nil {
		log.Fatal(err)
	}
	b := t.Encode()
	if err := os.WriteFile(*out, b, 0o644); err != nil {
		log.Fatal(err)
	}
	if *verbose {
		for _, s := range splits {
			fmt.Fprintf(os.Stderr, "%s (%s): %d articles, %d held out\n",
				s.Folder, s.Lang.Code, len(s.Train)+len(s.HeldOut), len(s.HeldOut))
		}
		fmt.Fprintf(os.Stderr, "alphabet %d letters, %d n-grams, step %.4f nats; wrote %d bytes to %s\n",
			len(t.Alphabet), len(t.Keys), t.Step, len(b), *out)
		for _, l := range t.Langs {
			fmt.Fprintf(os.Stderr, "  %s %-8s fit %.3f ± %.3f, %.2f/√n\n", l.Code, l.Script, l.FitMu, l.FitSD, l.GramSD)
		}
	}
}

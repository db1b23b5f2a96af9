// Package testenv tells tests whether the services and the data they need
// are there. Where they are not, a test skips and says why; under CI, which
// sets RHETOR_REQUIRE_SERVICES=1 and RHETOR_REQUIRE_DATA=1, the same test
// fails instead, so that a broken service or a missing ../shared cannot turn
// a run green by skipping what it was meant to check.
package testenv

import (
	"os"
	"path/filepath"
	"testing"
)

// RequireServices and RequireData are the variables that turn skips into
// failures.
const (
	RequireServices = "RHETOR_REQUIRE_SERVICES"
	RequireData     = "RHETOR_REQUIRE_DATA"
)

// Service returns the value of the environment variable name (an address
// such as RHETOR_TEST_POSTGRES), set by .ci/services. When it is unset the
// test skips, or fails where RHETOR_REQUIRE_SERVICES=1.
func Service(t testing.TB, name string) string {
	t.Helper()
	v := os.Getenv(name)
	if v == "" {
		missing(t, RequireServices, "set "+name+": see .ci/services")
	}
	return v
}

// Missing skips t with the reason, or fails it where the variable env
// (RequireServices or RequireData) is 1. Call it where a test finds that
// what it needs is absent.
func Missing(t testing.TB, env, reason string) {
	t.Helper()
	missing(t, env, reason)
}

func missing(t testing.TB, env, reason string) {
	t.Helper()
	if os.Getenv(env) == "1" {
		t.Fatalf("%s, and %s=1 forbids skipping", reason, env)
	}
	t.Skip(reason)
}

// Shared returns the path of rel (such as "data/semeval2023-task3") under
// the ../shared folder beside the repository, found from the test's working
// directory upwards. When it is absent the test skips, or fails where
// RHETOR_REQUIRE_DATA=1.
func Shared(t testing.TB, rel string) string {
	t.Helper()
	p, err := SharedPath(rel)
	if err != nil {
		missing(t, RequireData, err.Error())
	}
	return p
}

// SharedPath is Shared without a test: the path of rel under ../shared, or
// an error saying where it was looked for.
func SharedPath(rel string) (string, error) {
	wd, err := os.Getwd()
	if err != nil {
		return "", err
	}
	dir := wd
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			p := filepath.Join(dir, "..", "shared", rel)
			if _, err := os.Stat(p); err != nil {
				return "", &notFound{rel: rel, err: err}
			}
			return filepath.Clean(p), nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", &notFound{rel: rel, err: os.ErrNotExist}
		}
		dir = parent
	}
}

type notFound struct {
	rel string
	err error
}

func (e *notFound) Error() string {
	return "../shared/" + e.rel + " not found beside the repository (" + e.err.Error() + ")"
}

func (e *notFound) Unwrap() error { return e.err }

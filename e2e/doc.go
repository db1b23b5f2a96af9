// Package e2e holds the end-to-end tests of the browser workbench: they start
// the real server in-process (package server over a SQLite store in a
// temporary directory, with the embedded default model), drive a headless
// Chromium through chromedp, and save a screenshot of every view.
//
// The tests need a Chromium binary named by RHETOR_CHROMIUM (`.ci/services`
// installs one and prints the variable) and skip without it; those that
// paste a real article read ../shared/samples and skip when it is absent.
// Screenshots go to $RHETOR_E2E_ARTIFACTS, by default e2e/artifacts.
package e2e

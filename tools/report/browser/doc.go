// Package browser holds only tests: log-report's HTML page opened in
// headless Chromium through chromedp, its charts counted as drawn. It is a
// package of its own so that chromedp, a large dependency, is linked into
// this test binary alone and never into log-report or the tests of
// tools/report.
package browser

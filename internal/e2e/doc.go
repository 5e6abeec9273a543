// Package e2e holds end-to-end tests that drive the real portal in a headless
// Chromium the way a person would: typing into fields, clicking links and
// buttons, reading what the page shows. Each test gets the full application
// from apptest on a fresh database; all tests share one browser, each in a
// tab with its own cookies (a separate browser context).
//
// The browser is Debian's chromium (scripts/install-deps installs it). Without
// one the tests skip, except under CI, where they fail. Set OHIS_SCREENSHOTS
// to write PNG screenshots of some pages to /tmp/ohis-screens/.
package e2e

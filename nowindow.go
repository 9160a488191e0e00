//go:build !desktop

package main

// window is nil without the desktop build tag: `auditlens` serves the UI to
// a browser instead.
var window func(caseDir string) error

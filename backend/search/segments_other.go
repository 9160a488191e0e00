//go:build !linux

package search

// unmapPages: elsewhere a segment's pages stay mapped (segments_linux.go).
func unmapPages([]byte) {}

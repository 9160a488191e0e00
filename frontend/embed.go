// Package frontend embeds the built web UI (frontend/dist) into the binary.
package frontend

import (
	"embed"
	"io/fs"
)

//go:embed all:dist
var dist embed.FS

// Assets is the built UI; it holds only .gitkeep until `npm run build` ran.
func Assets() fs.FS {
	sub, _ := fs.Sub(dist, "dist")
	return sub
}

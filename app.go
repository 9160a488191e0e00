//go:build desktop

package main

import (
	"context"
	"log"
	"net/http"
	"os"
	"strings"

	"github.com/wailsapp/wails/v2"
	"github.com/wailsapp/wails/v2/pkg/options"
	"github.com/wailsapp/wails/v2/pkg/options/assetserver"
	"github.com/wailsapp/wails/v2/pkg/runtime"

	"auditlens/backend/cli"
	"auditlens/backend/httpapi"
	"auditlens/backend/service"
	"auditlens/frontend"
)

// App is bound to the window for what a browser cannot do: native dialogs.
// Everything else goes through the same HTTP API as in a browser.
type App struct {
	ctx context.Context
}

func (a *App) startup(ctx context.Context) { a.ctx = ctx }

// OpenFiles asks for audit exports to import.
func (a *App) OpenFiles() ([]string, error) {
	return runtime.OpenMultipleFilesDialog(a.ctx, runtime.OpenDialogOptions{Title: "Import audit exports"})
}

// OpenFolder asks for a folder of audit exports to import.
func (a *App) OpenFolder() (string, error) {
	return runtime.OpenDirectoryDialog(a.ctx, runtime.OpenDialogOptions{Title: "Import a folder of audit exports"})
}

// SaveFile asks where to save a report or an export.
func (a *App) SaveFile(defaultName string) (string, error) {
	return runtime.SaveFileDialog(a.ctx, runtime.SaveDialogOptions{Title: "Save", DefaultFilename: defaultName})
}

// window runs the desktop window on the case in caseDir; the UI talks to
// the case through the HTTP API served by the window's asset server.
func window(caseDir string) error {
	c, err := service.OpenServing(caseDir) // the index catches up behind the first page
	if err != nil {
		return err
	}
	defer c.Close()
	fixLocale()
	app := &App{}
	api := httpapi.New(c, frontend.Assets(), "")
	api.LocalPaths = true // the window's user is this machine's
	httpapi.Version = cli.Version
	return wails.Run(&options.App{
		Title:       "auditlens — " + caseDir,
		Width:       1280,
		Height:      800,
		MinWidth:    960,
		MinHeight:   600,
		AssetServer: &assetserver.Options{Handler: debugLog(api)},
		OnStartup:   app.startup,
		Bind:        []interface{}{app},
	})
}

func debugLog(h http.Handler) http.Handler {
	if os.Getenv("AUDITLENS_DEBUG") == "" {
		return h
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		log.Printf("window: %s %s", r.Method, r.URL)
		h.ServeHTTP(w, r)
	})
}

// fixLocale gives WebKit a real language: with the C or POSIX locale (a bare
// Xvfb, a minimal server) it reports navigator.language as "C", which
// JavaScript's Intl rejects, and the UI cannot start.
func fixLocale() {
	for _, k := range []string{"LC_ALL", "LC_MESSAGES", "LANG"} {
		v := os.Getenv(k)
		if v == "" {
			continue
		}
		if v == "C" || v == "POSIX" || strings.HasPrefix(v, "C.") {
			os.Setenv(k, "en_US.UTF-8")
			continue
		}
		return // a real locale
	}
	if os.Getenv("LANG") == "" {
		os.Setenv("LANG", "en_US.UTF-8")
	}
}

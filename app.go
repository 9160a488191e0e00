//go:build desktop

package main

import (
	"context"

	"github.com/wailsapp/wails/v2"
	"github.com/wailsapp/wails/v2/pkg/options"
	"github.com/wailsapp/wails/v2/pkg/options/assetserver"
	"github.com/wailsapp/wails/v2/pkg/runtime"

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
	c, err := service.Open(caseDir)
	if err != nil {
		return err
	}
	defer c.Close()
	app := &App{}
	return wails.Run(&options.App{
		Title:       "auditlens — " + caseDir,
		Width:       1280,
		Height:      800,
		MinWidth:    960,
		MinHeight:   600,
		AssetServer: &assetserver.Options{Handler: httpapi.New(c, frontend.Assets(), "")},
		OnStartup:   app.startup,
		Bind:        []interface{}{app},
	})
}

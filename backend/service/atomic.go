package service

import (
	"fmt"
	"io"
	"os"
	"path/filepath"

	"auditlens/backend/audit"
)

// WriteAtomic writes path through a temporary file beside it, renamed into
// place only when write succeeded: a failed or interrupted report or export
// never leaves half a file under the name asked for.
func WriteAtomic(path string, write func(io.Writer) error) (err error) {
	if fi, err := os.Stat(path); err == nil && fi.IsDir() { // (the rename said "file exists", after all the work)
		return audit.Errorf(audit.EINVALID, "%s is a folder: name the file to write", path)
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return audit.Errorf(audit.EINVALID, "cannot write %s: %v", path, err)
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if err = write(tmp); err != nil {
		return err
	}
	if err = tmp.Close(); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	// CreateTemp makes the file 0600; a report is an ordinary document.
	if err = os.Chmod(tmp.Name(), 0o644); err != nil {
		return err
	}
	if err = os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	return nil
}

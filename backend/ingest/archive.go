package ingest

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"strings"

	"auditlens/backend/audit"
)

// budget caps what one file on disk may expand to, over all its nested
// archives: a zip bomb stops with a clear error instead of filling the disk
// or the memory.
type budget struct {
	limit, used int64
	depth       int // archives open around the stream being read
}

// maxNesting bounds archives within archives.
const maxNesting = 32

type errExpansion struct{ limit int64 }

func (e errExpansion) Error() string {
	return fmt.Sprintf("archive expands past %s (100× its size, at most 20 GiB); the rest of it is not read", humanBytes(e.limit))
}

// limited counts decompressed bytes against the budget.
type limited struct {
	r io.Reader
	b *budget
}

func (l *limited) Read(p []byte) (int, error) {
	n, err := l.r.Read(p)
	l.b.used += int64(n)
	if l.b.used > l.b.limit {
		return n, errExpansion{l.b.limit}
	}
	return n, err
}

// spoolMax is the largest nested zip held in memory; larger ones go to a
// temporary file (whose name the archive does not choose).
const spoolMax = 32 << 20

func (im *importer) zip(src *audit.Source, r io.Reader, at io.ReaderAt, size int64, b *budget) error {
	if at == nil {
		var cleanup func()
		var err error
		at, size, cleanup, err = spool(r)
		if err != nil {
			return err
		}
		defer cleanup()
	}
	zr, err := zip.NewReader(at, size)
	if err != nil {
		return fmt.Errorf("unreadable zip archive: %v", err)
	}
	var firstErr error
	for _, f := range zr.File {
		if f.FileInfo().IsDir() || !f.Mode().IsRegular() {
			continue
		}
		if f.UncompressedSize64 > uint64(b.limit-b.used) {
			return errExpansion{b.limit}
		}
		var rc io.ReadCloser
		var err error
		if f.Flags&0x1 != 0 { // (bit 0: encrypted; Go would read its bytes as if it were not)
			err = errors.New("it is encrypted (password-protected): not read")
		} else {
			rc, err = f.Open()
		}
		if err != nil {
			c := child(src, memberName(f.Name))
			c.Failed = err.Error()
			if err := im.emptySource(c); err != nil {
				return err
			}
			firstErr = keepFirst(firstErr, fmt.Errorf("%s: %w", f.Name, err))
			continue
		}
		err = im.stream(child(src, memberName(f.Name)), &limited{rc, b}, nil, int64(f.UncompressedSize64), b)
		rc.Close()
		if err != nil {
			if isFatal(err) {
				return err
			}
			firstErr = keepFirst(firstErr, fmt.Errorf("%s: %w", f.Name, err))
		}
	}
	return firstErr
}

func (im *importer) gzip(src *audit.Source, r io.Reader, b *budget) error {
	zr, err := gzip.NewReader(r)
	if err != nil {
		return fmt.Errorf("unreadable gzip stream: %v", err)
	}
	defer zr.Close()
	name := zr.Name
	if name == "" {
		name = strings.TrimSuffix(strings.TrimSuffix(path.Base(src.Name()), ".gz"), ".tgz")
		if strings.HasSuffix(src.Name(), ".tgz") {
			name += ".tar"
		}
	}
	return im.stream(child(src, memberName(name)), &limited{zr, b}, nil, -1, b)
}

func (im *importer) tar(src *audit.Source, r io.Reader, b *budget) error {
	tr := tar.NewReader(r)
	var firstErr error
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return firstErr
		}
		if err != nil {
			return keepFirst(firstErr, fmt.Errorf("unreadable tar archive: %v", err))
		}
		if h.Typeflag != tar.TypeReg && h.Typeflag != tar.TypeRegA {
			continue // links, devices, folders: nothing to read, nothing to follow
		}
		if err := im.stream(child(src, memberName(h.Name)), tr, nil, h.Size, b); err != nil {
			if isFatal(err) {
				return err
			}
			firstErr = keepFirst(firstErr, fmt.Errorf("%s: %w", h.Name, err))
		}
	}
}

// emptySource records a member that could not be opened at all.
func (im *importer) emptySource(c *audit.Source) error {
	if err := im.h.BeginSource(c); err != nil {
		return &handlerError{err}
	}
	if err := im.h.EndSource(c); err != nil {
		return &handlerError{err}
	}
	return nil
}

// isFatal: errors that stop the whole archive, not just one member.
func isFatal(err error) bool {
	var he *handlerError
	var ee errExpansion
	return errors.As(err, &he) || errors.As(err, &ee)
}

func keepFirst(first, err error) error {
	if first != nil {
		return first
	}
	return err
}

// memberName is the name an archive gives a member, cleaned for display
// only: it is never used as a path to write to.
func memberName(name string) string {
	name = strings.ReplaceAll(name, "\\", "/")
	name = strings.TrimLeft(name, "/")
	if name == "" {
		return "(unnamed)"
	}
	return name
}

// spool copies a nested archive to memory or a temporary file, since zip
// needs random access.
func spool(r io.Reader) (io.ReaderAt, int64, func(), error) {
	buf, err := io.ReadAll(io.LimitReader(r, spoolMax+1))
	if err != nil {
		return nil, 0, nil, err
	}
	if len(buf) <= spoolMax {
		return bytes.NewReader(buf), int64(len(buf)), func() {}, nil
	}
	f, err := os.CreateTemp("", "auditlens-nested-*.zip")
	if err != nil {
		return nil, 0, nil, err
	}
	cleanup := func() { f.Close(); os.Remove(f.Name()) }
	if _, err := f.Write(buf); err != nil {
		cleanup()
		return nil, 0, nil, err
	}
	n, err := io.Copy(f, r)
	if err != nil {
		cleanup()
		return nil, 0, nil, err
	}
	return f, int64(len(buf)) + n, cleanup, nil
}

func humanBytes(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %ciB", float64(n)/float64(div), "KMGTPE"[exp])
}

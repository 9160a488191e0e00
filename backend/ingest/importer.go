// Package ingest opens files, folders and archives, tells each stream's
// format from its content, and maps every record to an audit.Event. It
// streams: memory stays flat whatever the input size.
package ingest

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"

	"auditlens/backend/audit"
)

// Version is recorded on every Source so a case tells which importer read it.
const Version = "1"

// maxErrorsKept bounds the rejection reasons kept per source; all are counted.
const maxErrorsKept = 1000

// Handler receives what an import finds. The ingest package counts
// rejections; the handler counts stored events and duplicates.
type Handler interface {
	// BeginSource is called before the first record of a source; it sets src.ID.
	BeginSource(src *audit.Source) error
	// Event receives one mapped event of src, with its ID already set.
	Event(src *audit.Source, ev *audit.Event) error
	// EndSource is called when src is read (or could not be read further);
	// SHA256, Size, Format and the counts are final.
	EndSource(src *audit.Source) error
}

// Options tune an import.
type Options struct {
	Format string // "" or "auto": detect per record; else a format name
	// Mappings are user formats (LoadMapping), tried before the built-ins.
	Mappings []*Format
	// An archive may expand to MaxExpandRatio times its size (at least
	// MinExpandBytes), and never past MaxExpandBytes.
	MaxExpandRatio int64
	MinExpandBytes int64
	MaxExpandBytes int64
	// Context, when set, ends the import when done: reads fail from then
	// on, and Import returns the context's cause as the handler's error.
	Context context.Context
}

func (o *Options) defaults() {
	if o.MaxExpandRatio == 0 {
		o.MaxExpandRatio = 100
	}
	if o.MinExpandBytes == 0 {
		o.MinExpandBytes = 64 << 20
	}
	if o.MaxExpandBytes == 0 {
		o.MaxExpandBytes = 20 << 30
	}
}

// PathError is a path that could not be read, in whole or in part.
type PathError struct {
	Path string
	Err  error
}

func (e *PathError) Error() string { return e.Path + ": " + e.Err.Error() }

type importer struct {
	opts   Options
	h      Handler
	forced *Format
}

// Import reads every path (files, folders recursively, archives) and hands
// what it finds to h. It goes on after a path fails; the failures are returned.
// An error from the handler (a full disk, say) stops the import and is
// returned as the last failure.
func Import(paths []string, opts Options, h Handler) []error {
	opts.defaults()
	im := &importer{opts: opts, h: h}
	if opts.Format != "" && opts.Format != "auto" {
		for _, m := range opts.Mappings {
			if m.Name == opts.Format {
				im.forced = m
			}
		}
		if im.forced == nil {
			f, err := FormatByName(opts.Format)
			if err != nil {
				return []error{err}
			}
			im.forced = f
		}
	}
	var failed []error
	for _, p := range paths {
		files, err := listFiles(p)
		if err != nil {
			failed = append(failed, &PathError{p, err})
		}
		for _, f := range files {
			if err := im.file(f); err != nil {
				var he *handlerError
				if errors.As(err, &he) {
					return append(failed, he.err)
				}
				failed = append(failed, &PathError{f, err})
			}
		}
	}
	return failed
}

// listFiles expands p: a file is itself, a folder its regular files, sorted.
func listFiles(p string) ([]string, error) {
	st, err := os.Stat(p)
	if err != nil {
		return nil, cleanOSError(err)
	}
	if !st.IsDir() {
		if !st.Mode().IsRegular() {
			// a pipe would block the import at its opening, a device never end
			return nil, fmt.Errorf("not a regular file (%s): not read", fileKind(st.Mode()))
		}
		return []string{p}, nil
	}
	var out []string
	var firstErr error
	filepath.WalkDir(p, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			if firstErr == nil {
				firstErr = cleanOSError(err)
			}
			return nil
		}
		if d.Type().IsRegular() {
			out = append(out, path)
		}
		return nil
	})
	sort.Strings(out)
	return out, firstErr
}

// fileKind names what a file that is not a regular one is.
func fileKind(m fs.FileMode) string {
	switch {
	case m&fs.ModeNamedPipe != 0:
		return "a named pipe"
	case m&fs.ModeSocket != 0:
		return "a socket"
	case m&fs.ModeDevice != 0:
		return "a device"
	}
	return "a special file"
}

func cleanOSError(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return fmt.Errorf("cannot %s: %v", pe.Op, pe.Err)
	}
	return err
}

// handlerError marks an error of the handler, which stops the import.
type handlerError struct{ err error }

func (e *handlerError) Error() string { return e.err.Error() }

// file imports one file on disk.
func (im *importer) file(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return cleanOSError(err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return err
	}
	b := &budget{limit: min(max(st.Size()*im.opts.MaxExpandRatio, im.opts.MinExpandBytes), im.opts.MaxExpandBytes)}
	src := &audit.Source{Path: path, ImporterVersion: Version}
	return im.stream(src, f, f, st.Size(), b)
}

// stream reads one stream: a container whose members are streams, or
// content whose records become events. at, when not nil, is the same data
// with random access (needed by zip).
func (im *importer) stream(src *audit.Source, r io.Reader, at io.ReaderAt, size int64, b *budget) error {
	hr := &hashingReader{r: r, h: sha256.New(), ctx: im.opts.Context}
	br := bufio.NewReaderSize(hr, 64<<10)
	content := br
	if u, ok := utf16Reader(br); ok {
		content = u // hashed as stored, read as UTF-8
	}
	head, _ := content.Peek(512)
	k := sniff(head)
	if k.container() {
		src.Format = k.String()
	}
	if err := im.h.BeginSource(src); err != nil {
		return &handlerError{err}
	}
	var err error
	switch {
	case k.container() && b.depth >= maxNesting:
		err = fmt.Errorf("archives nested more than %d deep: this one is not opened", maxNesting)
	case k == kindZip:
		b.depth++
		err = im.zip(src, br, at, size, b)
		b.depth--
	case k == kindGzip:
		b.depth++
		err = im.gzip(src, br, b)
		b.depth--
	case k == kindTar:
		b.depth++
		err = im.tar(src, br, b)
		b.depth--
	default:
		err = im.content(src, content, k)
	}
	var he *handlerError
	if errors.As(err, &he) {
		return err
	}
	if stop := im.stopped(); stop != nil {
		// src stays open: the handler knows it was cut short. Its hash is of
		// what was read of it, which verify compares with the file's start.
		src.SHA256, src.Size = hex.EncodeToString(hr.h.Sum(nil)), hr.n
		return &handlerError{stop}
	}
	if err != nil {
		src.Failed = err.Error()
	}
	// Hash every byte, also what the reader left unread.
	if _, derr := io.Copy(io.Discard, br); derr != nil && err == nil {
		err = derr
		src.Failed = derr.Error()
	}
	src.SHA256 = hex.EncodeToString(hr.h.Sum(nil))
	src.Size = hr.n
	if herr := im.h.EndSource(src); herr != nil {
		return &handlerError{herr}
	}
	return err
}

// child makes the Source of an archive member.
func child(parent *audit.Source, name string) *audit.Source {
	member := name
	if parent.Member != "" {
		member = parent.Member + "/" + name
	}
	return &audit.Source{ParentID: parent.ID, Path: parent.Path, Member: member, ImporterVersion: Version}
}

// stopped is the cause of the import's end, once its context is done.
func (im *importer) stopped() error {
	if ctx := im.opts.Context; ctx != nil && ctx.Err() != nil {
		return context.Cause(ctx)
	}
	return nil
}

type hashingReader struct {
	r   io.Reader
	h   hash.Hash
	n   int64
	ctx context.Context // when done, reads fail: a stopped import reads no further
}

func (h *hashingReader) Read(p []byte) (int, error) {
	if h.ctx != nil && h.ctx.Err() != nil {
		return 0, context.Cause(h.ctx)
	}
	n, err := h.r.Read(p)
	h.h.Write(p[:n])
	h.n += int64(n)
	return n, err
}

// reject counts a rejected record of src and keeps its reason.
func reject(src *audit.Source, line int, msg string) {
	src.Rejected++
	if len(src.Errors) < maxErrorsKept {
		src.Errors = append(src.Errors, audit.RecordError{Line: line, Message: msg})
	}
}

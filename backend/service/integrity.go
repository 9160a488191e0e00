package service

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"auditlens/backend/audit"
	"auditlens/backend/store"
)

// logImport writes an import into the case's activity log: every source
// with its hash, digest and counts.
func (c *Case) logImport(paths []string, sum *ImportSummary) error {
	type src struct {
		ID         int64  `json:"id"`
		Path       string `json:"path"`
		Member     string `json:"member,omitempty"`
		SHA256     string `json:"sha256"`
		Digest     string `json:"digest,omitempty"`
		Format     string `json:"format"`
		Events     int    `json:"events"`
		Duplicates int    `json:"duplicates"`
		Rejected   int    `json:"rejected"`
	}
	detail := struct {
		Paths      []string `json:"paths"`
		Events     int      `json:"events"`
		Duplicates int      `json:"duplicates"`
		Rejected   int      `json:"rejected"`
		Failures   []string `json:"failures,omitempty"`
		Sources    []src    `json:"sources"`
	}{Paths: paths, Events: sum.Events, Duplicates: sum.Duplicates, Rejected: sum.Rejected, Failures: sum.Failures}
	for _, s := range sum.Sources {
		detail.Sources = append(detail.Sources, src{s.ID, s.Path, s.Member, s.SHA256, s.Digest, s.Format, s.Events, s.Duplicates, s.Rejected})
	}
	_, err := c.store.Log("import", detail)
	return err
}

// LogWrite records a report or an export: the query, the file and its hash.
// A read-only case records nothing (ReadOnly).
func (c *Case) LogWrite(kind string, q audit.Query, file string, events int) error {
	h, n := "", int64(0)
	if file != "" && file != "-" {
		h, n, _ = fileHash(file, -1)
	}
	return c.logWrite(kind, q, file, events, h, n)
}

// LogDownload records an export sent as a download: name is the file's
// name the browser was given, sha256 and bytes what was sent.
func (c *Case) LogDownload(kind string, q audit.Query, name string, events int, sha256 string, bytes int64) error {
	return c.logWrite(kind, q, "download "+name, events, sha256, bytes)
}

func (c *Case) logWrite(kind string, q audit.Query, file string, events int, sha256 string, bytes int64) error {
	if c.readOnly {
		return nil // (the report cites the log's head and says it is not in it: Report)
	}
	detail := map[string]any{"query": q.Text, "file": file, "events": events}
	if !q.From.IsZero() {
		detail["from"] = q.From
	}
	if !q.To.IsZero() {
		detail["to"] = q.To
	}
	if sha256 != "" {
		detail["sha256"], detail["bytes"] = sha256, bytes
	}
	_, err := c.store.Log(kind, detail)
	return err
}

// ActivityLog is the case's own log and where its chain breaks (nil: intact).
func (c *Case) ActivityLog() ([]store.Activity, *store.ChainBreak, error) {
	return c.store.ActivityLog()
}

// LogHead is the hash and number of the newest activity entry, cited by reports.
func (c *Case) LogHead() (string, int64, error) { return c.store.LogHead() }

// SourceVerdict is what verify says of one source.
type SourceVerdict struct {
	Source  audit.Source `json:"source"`
	State   string       `json:"state"` // intact, altered, missing, differs, unchecked
	Events  int          `json:"events_checked"`
	Altered []string     `json:"altered,omitempty"` // events whose raw record changed or whose stored fields no longer decode
	Reason  string       `json:"reason,omitempty"`
}

// Verify re-hashes every stored raw record against the hash kept at import
// and each source's digest; for the files given, it also hashes the files
// and compares them with the sources imported from them.
func (c *Case) Verify(files []string) ([]SourceVerdict, error) {
	sources, err := c.store.Sources()
	if err != nil {
		return nil, err
	}
	given := map[string]string{} // absolute path -> the argument
	for _, f := range files {
		abs, _ := filepath.Abs(f)
		given[abs] = f
	}
	var out []SourceVerdict
	matched := map[string]bool{}
	for _, s := range sources {
		v := SourceVerdict{Source: s, State: "intact"}
		chk, err := c.store.VerifySource(s.ID, s.Digest)
		if err != nil {
			return nil, err
		}
		v.Events, v.Altered = chk.Events, chk.Altered
		switch {
		case len(chk.Altered) > 0 || len(chk.Damaged) > 0:
			var why []string
			if len(chk.Altered) > 0 {
				why = append(why, fmt.Sprintf("%d stored records no longer match their hash", len(chk.Altered)))
			}
			if len(chk.Damaged) > 0 {
				why = append(why, fmt.Sprintf("the stored fields of %d events no longer decode", len(chk.Damaged)))
			}
			v.State, v.Reason = "altered", strings.Join(why, "; ")
			altered := make(map[string]bool, len(chk.Altered))
			for _, id := range chk.Altered {
				altered[id] = true
			}
			for _, id := range chk.Damaged {
				if !altered[id] {
					v.Altered = append(v.Altered, id)
				}
			}
		case !chk.DigestOK:
			v.State, v.Reason = "altered", "its events no longer match the digest kept at import (removed, added or reordered)"
		}
		abs, _ := filepath.Abs(s.Path)
		if s.ParentID == 0 && given[abs] != "" {
			matched[abs] = true
		}
		if s.ParentID == 0 && given[abs] != "" && v.State == "intact" {
			partial := strings.HasPrefix(s.Failed, stoppedSource)
			first := int64(-1)
			if partial {
				first = s.Size
			}
			h, _, err := fileHash(abs, first)
			switch {
			case os.IsNotExist(err):
				v.State, v.Reason = "missing", "the file is not there"
			case err != nil:
				v.State, v.Reason = "missing", err.Error()
			case partial && s.SHA256 == "":
				// stopped by an auditlens before this one hashed what it read
				v.Reason = "the import was stopped while reading the file, and kept no hash of what it read: its stored events are checked, not the file"
			case h != s.SHA256 && partial:
				v.State, v.Reason = "differs", fmt.Sprintf("the file's first %d bytes, which an import stopped in it read, are not those it read: SHA-256 %s", s.Size, h)
			case h != s.SHA256:
				v.State, v.Reason = "differs", "the file's SHA-256 is not the one imported: "+h
			case partial && s.Size == 0:
				v.Reason = "an import was stopped in this file before it read any of it"
			case partial:
				v.Reason = fmt.Sprintf("an import was stopped in this file: its first %d bytes, which it read, are as they were", s.Size)
			}
		}
		out = append(out, v)
	}
	for abs, arg := range given {
		if matched[abs] {
			continue
		}
		out = append(out, SourceVerdict{Source: audit.Source{Path: abs}, State: "unchecked",
			Reason: fmt.Sprintf("%s was never imported into this case", arg)})
	}
	return out, nil
}

// fileHash is the SHA-256 and size of the file at path, or of its first
// bytes when first is 0 or more.
func fileHash(path string, first int64) (string, int64, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", 0, err
	}
	defer f.Close()
	var r io.Reader = f
	if first >= 0 {
		r = io.LimitReader(f, first)
	}
	h := sha256.New()
	n, err := io.Copy(h, r)
	if err != nil {
		return "", 0, err
	}
	return hex.EncodeToString(h.Sum(nil)), n, nil
}

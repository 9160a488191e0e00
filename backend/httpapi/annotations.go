package httpapi

import (
	"encoding/json"
	"io"
	"net/http"

	"auditlens/backend/audit"
	"auditlens/backend/store"
)

func decodeBody(r *http.Request, v any) error {
	if err := json.NewDecoder(io.LimitReader(r.Body, 1<<20)).Decode(v); err != nil {
		return audit.Errorf(audit.EINVALID, "unreadable JSON body: %v", err)
	}
	return nil
}

// tag adds or removes a tag: {"tag": "suspicious", "remove": false}.
func (s *Server) tag(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Tag    string `json:"tag"`
		Remove bool   `json:"remove"`
	}
	if err := decodeBody(r, &body); err != nil {
		writeError(w, err)
		return
	}
	ev, err := s.c.Tag(r.PathValue("id"), body.Tag, body.Remove)
	if err != nil {
		writeError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, ev)
}

// note writes a note: {"text": "…"}.
func (s *Server) note(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Text string `json:"text"`
	}
	if err := decodeBody(r, &body); err != nil {
		writeError(w, err)
		return
	}
	n, err := s.c.Note(r.PathValue("id"), body.Text)
	if err != nil {
		writeError(w, err)
		return
	}
	writeJSON(w, http.StatusCreated, n)
}

func (s *Server) savedSearches(w http.ResponseWriter, r *http.Request) {
	list, err := s.c.SavedSearches()
	if err != nil {
		writeError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, list)
}

func (s *Server) saveSearch(w http.ResponseWriter, r *http.Request) {
	var ss store.SavedSearch
	if err := decodeBody(r, &ss); err != nil {
		writeError(w, err)
		return
	}
	if err := s.c.SaveSearch(ss); err != nil {
		writeError(w, err)
		return
	}
	writeJSON(w, http.StatusCreated, ss)
}

func (s *Server) deleteSearch(w http.ResponseWriter, r *http.Request) {
	if err := s.c.DeleteSearch(r.PathValue("name")); err != nil {
		writeError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"deleted": r.PathValue("name")})
}

// activity is the case's activity log with its chain verdict.
func (s *Server) activity(w http.ResponseWriter, r *http.Request) {
	entries, brk, err := s.c.ActivityLog()
	if err != nil {
		writeError(w, err)
		return
	}
	if entries == nil {
		entries = []store.Activity{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"entries": entries, "intact": brk == nil, "break": brk})
}

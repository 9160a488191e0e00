package service

import (
	"strings"
	"unicode"

	"auditlens/backend/audit"
	"auditlens/backend/store"
)

// Tag adds (or removes) a tag on an event, updates its search document and
// writes the change into the activity log. Tags are short words:
// letters, digits, "-", "_", ".", ":".
func (c *Case) Tag(eventID, tag string, remove bool) (*audit.Event, error) {
	if err := c.Writes("tag events"); err != nil {
		return nil, err
	}
	tag = strings.ToLower(strings.TrimSpace(tag))
	if tag == "" || len(tag) > 64 || strings.IndexFunc(tag, func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r) && !strings.ContainsRune("-_.:", r)
	}) >= 0 {
		return nil, audit.Errorf(audit.EINVALID, "a tag is one word of letters, digits and - _ . : (at most 64), not %q", tag)
	}
	if _, err := c.store.Event(eventID); err != nil {
		return nil, err
	}
	changed, err := c.store.SetTag(eventID, tag, remove)
	if err != nil {
		return nil, err
	}
	ev, err := c.store.Event(eventID)
	if err != nil {
		return nil, err
	}
	if changed {
		if err := c.indexTags(); err != nil {
			return nil, err
		}
		kind := "tag.added"
		if remove {
			kind = "tag.removed"
		}
		if _, err := c.store.Log(kind, map[string]string{"event": eventID, "tag": tag}); err != nil {
			return nil, err
		}
	}
	return ev, nil
}

// Note writes a note on an event (and into the activity log).
func (c *Case) Note(eventID, text string) (*audit.Note, error) {
	if err := c.Writes("take notes"); err != nil {
		return nil, err
	}
	text = strings.TrimSpace(text)
	if text == "" || len(text) > 10000 {
		return nil, audit.Errorf(audit.EINVALID, "a note has from 1 to 10,000 characters")
	}
	if _, err := c.store.Event(eventID); err != nil {
		return nil, err
	}
	n, err := c.store.AddNote(eventID, text)
	if err != nil {
		return nil, err
	}
	_, err = c.store.Log("note.added", map[string]string{"event": eventID, "text": text})
	return n, err
}

// SaveSearch names a query and range (and logs it).
func (c *Case) SaveSearch(ss store.SavedSearch) error {
	if err := c.Writes("save searches"); err != nil {
		return err
	}
	ss.Name = strings.TrimSpace(ss.Name)
	if ss.Name == "" || len(ss.Name) > 200 {
		return audit.Errorf(audit.EINVALID, "a saved search needs a name (at most 200 characters)")
	}
	if ss.Name == "." || ss.Name == ".." { // (its URL, /api/saved/.., is another path)
		return audit.Errorf(audit.EINVALID, "a saved search cannot be named %q", ss.Name)
	}
	if _, err := c.Search(audit.Query{Text: ss.Query, Limit: 1}); err != nil {
		return err
	}
	if err := c.store.SaveSearch(ss); err != nil {
		return err
	}
	_, err := c.store.Log("search.saved", ss)
	return err
}

// DeleteSearch forgets a saved search.
func (c *Case) DeleteSearch(name string) error {
	if err := c.Writes("delete saved searches"); err != nil {
		return err
	}
	ok, err := c.store.DeleteSearch(name)
	if err != nil {
		return err
	}
	if !ok {
		return audit.Errorf(audit.ENOTFOUND, "no saved search %q", name)
	}
	_, err = c.store.Log("search.deleted", map[string]string{"name": name})
	return err
}

// SavedSearches lists the saved searches.
func (c *Case) SavedSearches() ([]store.SavedSearch, error) { return c.store.SavedSearches() }

package report_test

import (
	"archive/zip"
	"encoding/xml"
	"io"
	"path"
	"slices"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

// book is a written workbook read back: through excelize, and as the raw
// XML of its parts for what excelize has no getter for (the autofilter
// element, the drawing).
type book struct {
	*excelize.File
	parts  map[string]string // zip part name -> content
	sheets map[string]string // sheet name -> part name
}

func openBook(t *testing.T, file string) *book {
	t.Helper()
	f, err := excelize.OpenFile(file)
	if err != nil {
		t.Fatalf("open %s: %v", file, err)
	}
	t.Cleanup(func() { f.Close() })
	zr, err := zip.OpenReader(file)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	b := &book{File: f, parts: map[string]string{}, sheets: map[string]string{}}
	for _, zf := range zr.File {
		if strings.HasSuffix(zf.Name, ".xml") && zf.UncompressedSize64 < 64<<20 || strings.HasSuffix(zf.Name, ".rels") {
			rc, err := zf.Open()
			if err != nil {
				t.Fatal(err)
			}
			data, _ := io.ReadAll(rc)
			rc.Close()
			b.parts[zf.Name] = string(data)
		}
	}
	var wbx struct {
		Sheets []struct {
			Name string `xml:"name,attr"`
			RID  string `xml:"http://schemas.openxmlformats.org/officeDocument/2006/relationships id,attr"`
		} `xml:"sheets>sheet"`
	}
	var rels struct {
		Rel []struct {
			ID     string `xml:"Id,attr"`
			Target string `xml:"Target,attr"`
		} `xml:"Relationship"`
	}
	if err := xml.Unmarshal([]byte(b.parts["xl/workbook.xml"]), &wbx); err != nil {
		t.Fatal(err)
	}
	if err := xml.Unmarshal([]byte(b.parts["xl/_rels/workbook.xml.rels"]), &rels); err != nil {
		t.Fatal(err)
	}
	for _, s := range wbx.Sheets {
		for _, r := range rels.Rel {
			if r.ID == s.RID {
				b.sheets[s.Name] = path.Join("xl", strings.TrimPrefix(r.Target, "/xl/"))
			}
		}
	}
	return b
}

func (b *book) rows(t *testing.T, sheet string) [][]string {
	t.Helper()
	rows, err := b.GetRows(sheet)
	if err != nil {
		t.Fatalf("rows of %s: %v", sheet, err)
	}
	return rows
}

func (b *book) value(t *testing.T, sheet, cell string, raw bool) string {
	t.Helper()
	v, err := b.GetCellValue(sheet, cell, excelize.Options{RawCellValue: raw})
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// checkTable asserts what every sheet has: the header, in bold, frozen,
// under an autofilter (the sheet's autoFilter element and Excel's hidden
// _xlnm._FilterDatabase name scoped to the sheet).
func (b *book) checkTable(t *testing.T, sheet string, header []string) {
	t.Helper()
	rows := b.rows(t, sheet)
	if len(rows) == 0 || !slices.Equal(rows[0], header) {
		t.Errorf("%s: header %q, want %q", sheet, first(rows), header)
	}
	id, err := b.GetCellStyle(sheet, "A1")
	if err != nil {
		t.Fatal(err)
	}
	st, err := b.GetStyle(id)
	if err != nil || st.Font == nil || !st.Font.Bold {
		t.Errorf("%s: header is not bold (%v)", sheet, err)
	}
	panes, err := b.GetPanes(sheet)
	if err != nil || !panes.Freeze || panes.YSplit != 1 || panes.TopLeftCell != "A2" {
		t.Errorf("%s: header not frozen: %+v %v", sheet, panes, err)
	}
	xmlText := b.parts[b.sheets[sheet]]
	last, _ := excelize.CoordinatesToCellName(len(header), max(len(rows), 1))
	// excelize v2.11 writes the reference absolute ($A$1:$K$9); either form is a range.
	if !strings.Contains(xmlText, `<autoFilter ref="A1:`+last+`"`) && !strings.Contains(xmlText, `<autoFilter ref="$A$1:`+absRef(last)+`"`) {
		t.Errorf("%s: no autoFilter over A1:%s", sheet, last)
	}
	found := false
	for _, dn := range b.GetDefinedName() {
		if dn.Name == "_xlnm._FilterDatabase" && dn.Scope == sheet && strings.HasSuffix(dn.RefersTo, "$A$1:"+absRef(last)) {
			found = true
		}
	}
	if !found {
		t.Errorf("%s: no _xlnm._FilterDatabase name over A1:%s in %+v", sheet, last, b.GetDefinedName())
	}
}

func first(rows [][]string) []string {
	if len(rows) == 0 {
		return nil
	}
	return rows[0]
}

// absRef turns K12 into $K$12.
func absRef(ref string) string {
	i := strings.IndexAny(ref, "0123456789")
	return "$" + ref[:i] + "$" + ref[i:]
}

// column finds a header's column letter on a sheet.
func (b *book) column(t *testing.T, sheet, title string) string {
	t.Helper()
	for i, h := range first(b.rows(t, sheet)) {
		if h == title {
			name, _ := excelize.ColumnNumberToName(i + 1)
			return name
		}
	}
	t.Fatalf("%s has no column %q", sheet, title)
	return ""
}

package support

import (
	"bytes"
	"encoding/csv"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite golden files in testdata/")

func goldenStatement() Statement {
	entries := Allocate(DefaultAllowance, 450, []Entry{
		{ID: 12, Date: day(2026, 3, 16), Minutes: 7, Description: `Vraag over "variabele" producten`, Category: CategoryOther},
		{ID: 10, Date: day(2026, 3, 2), Minutes: 90, Description: "Webhooks instellen; WooCommerce, Shopify", Category: CategoryIntegration},
		{ID: 11, Date: day(2026, 3, 9), Minutes: 1200, Description: "Integratietest voorbereiden\nen uitvoeren", Category: CategoryIntegrationTest},
		{ID: 13, Date: day(2026, 3, 31), Minutes: 20, Description: "=HYPERLINK(\"x\") café", Category: CategoryOnboarding},
	})
	return NewStatement("Fietsen & Zo B.V.", 2026, time.March, entries)
}

func TestWriteStatementCSVGolden(t *testing.T) {
	s := goldenStatement()
	// Sanity of the fixture: 450 used before, entry 10 crosses the boundary.
	if s.Lines[0].Minutes != 60 || s.TotalMinutes != 1287 || s.TotalExcl != 214500 {
		t.Fatalf("fixture: %+v", s)
	}
	for _, tc := range []struct {
		dialect Dialect
		file    string
	}{
		{ExcelNL, "statement_excel_nl.csv"},
		{RFC4180, "statement_rfc4180.csv"},
	} {
		t.Run(tc.dialect.String(), func(t *testing.T) {
			var buf bytes.Buffer
			if err := WriteStatementCSV(&buf, s, tc.dialect); err != nil {
				t.Fatal(err)
			}
			path := filepath.Join("testdata", tc.file)
			if *update {
				if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run with -update to create)", err)
			}
			if !bytes.Equal(buf.Bytes(), want) {
				t.Errorf("%s differs from golden file\ngot:\n%q\nwant:\n%q", tc.file, buf.String(), want)
			}
		})
	}
}

func TestWriteStatementCSVDialects(t *testing.T) {
	s := goldenStatement()
	for _, tc := range []struct {
		dialect   Dialect
		comma     rune
		bom       bool
		firstLine []string
		totalIncl string
	}{
		{ExcelNL, ';', true, []string{"02-03-2026", "Integratie", "Webhooks instellen; WooCommerce, Shopify", "60", "1,00", "100,00"}, "2595,45"},
		{RFC4180, ',', false, []string{"2026-03-02", "Integratie", "Webhooks instellen; WooCommerce, Shopify", "60", "1.00", "100.00"}, "2595.45"},
	} {
		var buf bytes.Buffer
		if err := WriteStatementCSV(&buf, s, tc.dialect); err != nil {
			t.Fatal(err)
		}
		raw := buf.Bytes()
		if got := bytes.HasPrefix(raw, []byte("\uFEFF")); got != tc.bom {
			t.Errorf("%v: BOM = %v, want %v", tc.dialect, got, tc.bom)
		}
		if bytes.Count(raw, []byte("\n")) != bytes.Count(raw, []byte("\r\n")) {
			t.Errorf("%v: not all line ends are CRLF", tc.dialect)
		}
		r := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(raw, []byte("\uFEFF"))))
		r.Comma = tc.comma
		rows, err := r.ReadAll()
		if err != nil {
			t.Fatalf("%v: read back: %v", tc.dialect, err)
		}
		if len(rows) != 1+len(s.Lines)+3 {
			t.Fatalf("%v: %d rows", tc.dialect, len(rows))
		}
		if strings.Join(rows[0], "|") != strings.Join(StatementCSVHeader, "|") {
			t.Errorf("%v: header %q", tc.dialect, rows[0])
		}
		if strings.Join(rows[1], "|") != strings.Join(tc.firstLine, "|") {
			t.Errorf("%v: first line %q, want %q", tc.dialect, rows[1], tc.firstLine)
		}
		if rows[2][2] != "Integratietest voorbereiden\r\nen uitvoeren" && rows[2][2] != "Integratietest voorbereiden\nen uitvoeren" {
			t.Errorf("%v: multi-line description %q", tc.dialect, rows[2][2])
		}
		if rows[4][2] != `'=HYPERLINK("x") café` {
			t.Errorf("%v: formula not neutralised: %q", tc.dialect, rows[4][2])
		}
		if last := rows[len(rows)-1]; last[2] != "Totaal incl. btw" || last[5] != tc.totalIncl {
			t.Errorf("%v: last row %q", tc.dialect, last)
		}
	}
}

func TestWriteStatementCSVUnknownDialect(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteStatementCSV(&buf, Statement{}, Dialect(99)); err == nil || buf.Len() != 0 {
		t.Errorf("unknown dialect: err %v, wrote %d bytes", err, buf.Len())
	}
}

func TestHoursDecimal(t *testing.T) {
	for _, tc := range []struct {
		minutes int
		sep     byte
		want    string
	}{
		{90, ',', "1,50"}, {90, '.', "1.50"}, {7, ',', "0,12"}, {1, ',', "0,02"},
		{20, ',', "0,33"}, {40, ',', "0,67"}, {0, ',', "0,00"}, {1287, ',', "21,45"},
	} {
		if got := hoursDecimal(tc.minutes, tc.sep); got != tc.want {
			t.Errorf("hoursDecimal(%d) = %q, want %q", tc.minutes, got, tc.want)
		}
	}
}

func TestCellText(t *testing.T) {
	for in, want := range map[string]string{
		"":           "",
		"normaal":    "normaal",
		"=1+1":       "'=1+1",
		"+31 6":      "'+31 6",
		"-5":         "'-5",
		"@SUM(A1)":   "'@SUM(A1)",
		"\tinjectie": "'\tinjectie",
		"a=b":        "a=b",
	} {
		if got := cellText(in); got != want {
			t.Errorf("cellText(%q) = %q, want %q", in, got, want)
		}
	}
}

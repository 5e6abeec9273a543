package support

import (
	"bufio"
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// Dialect selects the CSV flavour of a statement export.
type Dialect int

const (
	// ExcelNL opens correctly in Dutch Excel: ";" separator, decimal comma
	// (100,00 and 1,50), UTF-8 with BOM, CRLF line ends, dates dd-mm-jjjj.
	ExcelNL Dialect = iota
	// RFC4180 is plain RFC 4180: "," separator, decimal point, no BOM,
	// CRLF line ends, ISO 8601 dates (jjjj-mm-dd).
	RFC4180
)

func (d Dialect) String() string {
	switch d {
	case ExcelNL:
		return "excel-nl"
	case RFC4180:
		return "rfc4180"
	}
	return "Dialect(" + strconv.Itoa(int(d)) + ")"
}

type dialectSpec struct {
	comma   rune
	decimal byte
	bom     bool
	date    string
}

func (d Dialect) spec() (dialectSpec, error) {
	switch d {
	case ExcelNL:
		return dialectSpec{comma: ';', decimal: ',', bom: true, date: "02-01-2006"}, nil
	case RFC4180:
		return dialectSpec{comma: ',', decimal: '.', bom: false, date: "2006-01-02"}, nil
	}
	return dialectSpec{}, fmt.Errorf("support: unknown CSV dialect %d", int(d))
}

// StatementCSVHeader is the (Dutch) header row of a statement export.
var StatementCSVHeader = []string{"Datum", "Categorie", "Omschrijving", "Minuten", "Uren", "Bedrag excl. btw (EUR)"}

// WriteStatementCSV writes s as CSV: a header row, one row per line, then
// three total rows (billable total excl. VAT with total minutes and hours,
// VAT, total incl. VAT) with an empty date. Amounts have two decimals and
// no thousands separator; hours are minutes/60 rounded half up to two
// decimals (the total's hours are computed from the total minutes).
// Quoting follows RFC 4180 (encoding/csv). Text cells that a spreadsheet
// would read as a formula (starting with = + - @ or a tab/CR) are prefixed
// with an apostrophe.
func WriteStatementCSV(w io.Writer, s Statement, dialect Dialect) error {
	sp, err := dialect.spec()
	if err != nil {
		return err
	}
	bw := bufio.NewWriter(w)
	if sp.bom {
		if _, err := bw.WriteString("\uFEFF"); err != nil {
			return err
		}
	}
	cw := csv.NewWriter(bw)
	cw.Comma = sp.comma
	cw.UseCRLF = true
	rows := [][]string{StatementCSVHeader}
	for _, l := range s.Lines {
		rows = append(rows, []string{
			l.Date.Format(sp.date),
			cellText(l.Category.Label()),
			cellText(l.Description),
			strconv.Itoa(l.Minutes),
			hoursDecimal(l.Minutes, sp.decimal),
			decimalCents(l.Amount, sp.decimal),
		})
	}
	rows = append(rows,
		[]string{"", "", "Totaal excl. btw", strconv.Itoa(s.TotalMinutes), hoursDecimal(s.TotalMinutes, sp.decimal), decimalCents(s.TotalExcl, sp.decimal)},
		[]string{"", "", "Btw " + strconv.Itoa(VATPercent) + "%", "", "", decimalCents(s.TotalVAT, sp.decimal)},
		[]string{"", "", "Totaal incl. btw", "", "", decimalCents(s.TotalIncl, sp.decimal)},
	)
	if err := cw.WriteAll(rows); err != nil {
		return err
	}
	return bw.Flush()
}

// hoursDecimal renders minutes as hours with two decimals, rounded half
// up: 90 → "1,50", 7 → "0,12".
func hoursDecimal(minutes int, sep byte) string {
	return decimalCents(Cents(divRoundHalfUp(int64(minutes)*100, 60)), sep)
}

// cellText neutralises spreadsheet formula injection.
func cellText(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

package conformance

import (
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// The JSON types a field may have.
type jsonType int

const (
	tString jsonType = 1 << iota
	tInt
	tNumber // any number, also with a fraction
	tBool
	tNull
	tArray
	tObject
)

// jsonTypeOf is the type of a raw JSON value (tInt for whole numbers).
func jsonTypeOf(raw json.RawMessage) jsonType {
	b := trimJSON(raw)
	if len(b) == 0 {
		return 0
	}
	switch b[0] {
	case '"':
		return tString
	case '{':
		return tObject
	case '[':
		return tArray
	case 't', 'f':
		return tBool
	case 'n':
		return tNull
	}
	if strings.ContainsAny(string(b), ".eE") {
		return tNumber
	}
	return tInt
}

// wantText names the allowed types: "een tekst", "een geheel getal of null".
func wantText(t jsonType) string {
	var parts []string
	for _, c := range []struct {
		t    jsonType
		name string
	}{
		{tString, "een tekst"}, {tInt, "een geheel getal"}, {tNumber, "een getal"}, {tBool, "true of false"},
		{tArray, "een lijst"}, {tObject, "een object"}, {tNull, "null"},
	} {
		if t&c.t != 0 {
			parts = append(parts, c.name)
		}
	}
	return strings.Join(parts, " of ")
}

func typeName(t jsonType) string {
	switch t {
	case tString:
		return "string"
	case tInt:
		return "integer"
	case tNumber:
		return "number"
	case tBool:
		return "boolean"
	case tNull:
		return "null"
	case tArray:
		return "array"
	case tObject:
		return "object"
	}
	return "empty"
}

// field describes one field of an object in the contract.
type field struct {
	name     string
	types    jsonType
	required bool
	// when: the field is required only for objects where it returns true
	// (e.g. "variations" for variable products).
	when func(obj map[string]json.RawMessage) bool
	enum []string
	date bool
	// elem describes the elements of an array (of objects, or, with
	// elemType, of scalars) or the fields of an object.
	elem     []field
	elemType jsonType
}

var termFields = []field{
	{name: "id", types: tInt, required: true},
	{name: "name", types: tString, required: true},
	{name: "slug", types: tString, required: true},
}

var imageFields = []field{
	{name: "id", types: tInt, required: true},
	{name: "src", types: tString, required: true},
	{name: "alt", types: tString, required: true},
}

var stockStatuses = []string{"instock", "outofstock", "onbackorder"}

func isVariable(obj map[string]json.RawMessage) bool {
	var t string
	return json.Unmarshal(obj["type"], &t) == nil && t == "variable"
}

// productFields is the product contract of docs/integration-guide.md, as
// in /work/shared/apis/woocommerce/product-variable.json. Prices are
// checked under "Geldbedragen".
var productFields = []field{
	{name: "id", types: tInt, required: true},
	{name: "name", types: tString, required: true},
	{name: "type", types: tString, required: true, enum: []string{"simple", "variable", "grouped", "external"}},
	{name: "status", types: tString, required: true},
	{name: "sku", types: tString},
	{name: "description", types: tString},
	{name: "short_description", types: tString},
	{name: "manage_stock", types: tBool, required: true},
	{name: "stock_quantity", types: tInt | tNull, required: true},
	{name: "stock_status", types: tString, required: true, enum: stockStatuses},
	{name: "date_modified_gmt", types: tString, required: true, date: true},
	{name: "categories", types: tArray, required: true, elem: termFields},
	{name: "brands", types: tArray, elem: termFields},
	{name: "images", types: tArray, required: true, elem: imageFields},
	{name: "attributes", types: tArray, required: true, elem: []field{
		{name: "id", types: tInt, required: true},
		{name: "name", types: tString, required: true},
		{name: "options", types: tArray, required: true, elemType: tString},
		{name: "position", types: tInt},
		{name: "visible", types: tBool},
		{name: "variation", types: tBool},
	}},
	{name: "variations", types: tArray, required: true, when: isVariable, elemType: tInt},
}

// variationFields is the variation contract (product-variation.json).
// manage_stock may be "parent" (WooCommerce: the parent manages stock).
var variationFields = []field{
	{name: "id", types: tInt, required: true},
	{name: "status", types: tString, required: true},
	{name: "sku", types: tString},
	{name: "manage_stock", types: tBool | tString, required: true, enum: []string{"parent"}},
	{name: "stock_quantity", types: tInt | tNull, required: true},
	{name: "stock_status", types: tString, required: true, enum: stockStatuses},
	{name: "date_modified_gmt", types: tString, required: true, date: true},
	{name: "image", types: tObject | tNull, elem: imageFields},
	{name: "attributes", types: tArray, required: true, elem: []field{
		{name: "id", types: tInt, required: true},
		{name: "name", types: tString, required: true},
		{name: "option", types: tString, required: true},
	}},
}

// issues collects problems by kind, with the first offenders of each.
type issues struct {
	noun   string // "producten", "variaties"
	limit  int
	order  []string
	byKey  map[string]*issue
	total  int // objects checked
	broken map[string]bool
}

type issue struct {
	message   string // Dutch, without the count: "het veld images ontbreekt"
	detail    string // technical: "images: missing"
	count     int
	offenders []string // "12", "12 (\"yes\")"
}

func newIssues(noun string, limit int) *issues {
	return &issues{noun: noun, limit: limit, byKey: map[string]*issue{}, broken: map[string]bool{}}
}

// add records a problem of one object; key groups equal problems.
func (is *issues) add(key, objID, message, detail, value string) {
	it, ok := is.byKey[key]
	if !ok {
		it = &issue{message: message, detail: detail}
		is.byKey[key] = it
		is.order = append(is.order, key)
	}
	it.count++
	is.broken[objID] = true
	if len(it.offenders) < is.limit {
		o := objID
		if value != "" {
			o += ": " + value
		}
		it.offenders = append(it.offenders, o)
	}
}

func (is *issues) empty() bool { return len(is.order) == 0 }

// maxIssuesShown bounds the problems listed in one finding.
const maxIssuesShown = 8

// finding is the Dutch summary: one sentence per kind of problem, with
// examples, never whole payloads.
func (is *issues) finding() string {
	var parts []string
	for i, key := range is.order {
		if i == maxIssuesShown {
			parts = append(parts, fmt.Sprintf("En nog %d andere soorten problemen.", len(is.order)-maxIssuesShown))
			break
		}
		it := is.byKey[key]
		parts = append(parts, fmt.Sprintf("Bij %d van de %d %s %s (bijvoorbeeld %s).",
			it.count, is.total, is.noun, it.message, joinDutch(it.offenders)))
	}
	return strings.Join(parts, " ")
}

// detail is the technical summary.
func (is *issues) detail() string {
	var parts []string
	for _, key := range is.order {
		it := is.byKey[key]
		parts = append(parts, fmt.Sprintf("%s in %d/%d %s: %s", it.detail, it.count, is.total, is.noun, strings.Join(it.offenders, ", ")))
	}
	return strings.Join(parts, "; ")
}

// joinDutch joins "a", "b" and "c" as "a, b en c".
func joinDutch(items []string) string {
	switch len(items) {
	case 0:
		return ""
	case 1:
		return items[0]
	}
	return strings.Join(items[:len(items)-1], ", ") + " en " + items[len(items)-1]
}

// objectID names an object for offender lists: "product 12", or
// "product zonder geldig id".
func objectID(kind string, obj map[string]json.RawMessage) string {
	raw, ok := obj["id"]
	if !ok || jsonTypeOf(raw) != tInt {
		return kind + " zonder geldig id"
	}
	return kind + " " + string(trimJSON(raw))
}

// checkObject checks one object against the fields and records problems
// under prefix ("" at the top level, "categories[]." inside).
func checkObject(is *issues, id string, obj map[string]json.RawMessage, fields []field, prefix string) {
	for _, f := range fields {
		name := prefix + f.name
		raw, present := obj[f.name]
		required := f.required && (f.when == nil || f.when(obj))
		if !present {
			if required {
				is.add(name+":missing", id, "ontbreekt het veld "+name, name+": missing", "")
			}
			continue
		}
		t := jsonTypeOf(raw)
		allowed := f.types
		if allowed&tNumber != 0 {
			allowed |= tInt
		}
		if t&allowed == 0 {
			is.add(name+":type:"+typeName(t), id,
				fmt.Sprintf("is het veld %s %s, maar het moet %s zijn", name, typeKind(t), wantText(f.types)),
				fmt.Sprintf("%s: %s where %s expected", name, typeName(t), typesList(f.types)), snippet(raw, 40))
			continue
		}
		if t == tString && len(f.enum) > 0 {
			var v string
			_ = json.Unmarshal(raw, &v)
			if !slices.Contains(f.enum, v) {
				is.add(name+":enum", id,
					fmt.Sprintf("heeft het veld %s een waarde die niet is toegestaan (toegestaan: %s)", name, strings.Join(f.enum, ", ")),
					fmt.Sprintf("%s: value not in [%s]", name, strings.Join(f.enum, " ")), strconv.Quote(truncate(v, 40)))
				continue
			}
		}
		if f.date && t == tString {
			var v string
			_ = json.Unmarshal(raw, &v)
			if _, ok := parseDate(v); !ok {
				is.add(name+":date", id,
					fmt.Sprintf("is het veld %s geen datum in ISO 8601 (bijvoorbeeld \"2026-11-27T08:00:00\")", name),
					name+": not an ISO 8601 date", strconv.Quote(truncate(v, 40)))
			}
		}
		switch {
		case t == tArray && (f.elem != nil || f.elemType != 0):
			var elems []json.RawMessage
			if json.Unmarshal(trimJSON(raw), &elems) != nil {
				continue
			}
			for _, e := range elems {
				et := jsonTypeOf(e)
				if f.elemType != 0 {
					if et&f.elemType == 0 {
						is.add(name+"[]:type:"+typeName(et), id,
							fmt.Sprintf("bevat de lijst %s %s, maar elk element moet %s zijn", name, typeKind(et), wantText(f.elemType)),
							fmt.Sprintf("%s[]: %s where %s expected", name, typeName(et), typesList(f.elemType)), snippet(e, 40))
						break
					}
					continue
				}
				var sub map[string]json.RawMessage
				if et != tObject || json.Unmarshal(trimJSON(e), &sub) != nil {
					is.add(name+"[]:notobject", id,
						fmt.Sprintf("bevat de lijst %s %s, maar elk element moet een object zijn", name, typeKind(et)),
						fmt.Sprintf("%s[]: %s where object expected", name, typeName(et)), snippet(e, 40))
					break
				}
				checkObject(is, id, sub, f.elem, name+"[].")
			}
		case t == tObject && f.elem != nil:
			var sub map[string]json.RawMessage
			if json.Unmarshal(trimJSON(raw), &sub) == nil {
				checkObject(is, id, sub, f.elem, name+".")
			}
		}
	}
}

// typeKind names a found type without its value: "een getal".
func typeKind(t jsonType) string {
	switch t {
	case tString:
		return "een tekst"
	case tInt, tNumber:
		return "een getal"
	case tBool:
		return "true/false"
	case tNull:
		return "null"
	case tArray:
		return "een lijst"
	case tObject:
		return "een object"
	}
	return "leeg"
}

func typesList(t jsonType) string {
	var parts []string
	for _, c := range []jsonType{tString, tInt, tNumber, tBool, tArray, tObject, tNull} {
		if t&c != 0 {
			parts = append(parts, typeName(c))
		}
	}
	return strings.Join(parts, "|")
}

// Date layouts the connector reads; the contract asks for the first.
var dateLayouts = []string{"2006-01-02T15:04:05", time.RFC3339Nano, "2006-01-02 15:04:05"}

func parseDate(s string) (time.Time, bool) {
	s = strings.TrimSpace(s)
	for _, l := range dateLayouts {
		if t, err := time.ParseInLocation(l, s, time.UTC); err == nil {
			return t.UTC(), true
		}
	}
	return time.Time{}, false
}

func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n]) + "…"
}

// decodeObjects splits a listing into objects; the ids of elements that
// are not objects are reported under "geen object".
func decodeObjects(is *issues, items []json.RawMessage) []map[string]json.RawMessage {
	out := make([]map[string]json.RawMessage, 0, len(items))
	for i, raw := range items {
		var m map[string]json.RawMessage
		if jsonTypeOf(raw) != tObject || json.Unmarshal(trimJSON(raw), &m) != nil {
			is.add("notobject", "element "+strconv.Itoa(i+1), "is het element van de lijst geen JSON-object", "element is not an object", snippet(raw, 40))
			continue
		}
		out = append(out, m)
	}
	return out
}

// stringField reads a string field; "" when absent or not a string.
func stringField(obj map[string]json.RawMessage, name string) string {
	var s string
	if raw, ok := obj[name]; ok && jsonTypeOf(raw) == tString {
		_ = json.Unmarshal(raw, &s)
	}
	return s
}

// intField reads a whole-number field; false when absent or not one.
func intField(obj map[string]json.RawMessage, name string) (int64, bool) {
	raw, ok := obj[name]
	if !ok || jsonTypeOf(raw) != tInt {
		return 0, false
	}
	n, err := strconv.ParseInt(string(trimJSON(raw)), 10, 64)
	return n, err == nil
}

// modifiedOf reads date_modified_gmt.
func modifiedOf(obj map[string]json.RawMessage) (time.Time, bool) {
	return parseDate(stringField(obj, "date_modified_gmt"))
}

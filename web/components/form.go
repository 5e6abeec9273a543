// Package components holds small templ pieces shared by pages: form fields
// with their errors, the error summary, pagination.
package components

// Field is the view model of one labelled form input.
type Field struct {
	Name         string
	Label        string
	Type         string // text, email, password, …; default text
	Value        string
	Error        string // Dutch message, empty when valid
	Hint         string
	Autocomplete string
	Required     bool
	Autofocus    bool
}

// InputType is the input's type attribute.
func (f Field) InputType() string {
	if f.Type == "" {
		return "text"
	}
	return f.Type
}

// ID is the element id of the input.
func (f Field) ID() string { return "f-" + f.Name }

// DescribedBy links the hint and the error to the input for screen readers.
func (f Field) DescribedBy() string {
	s := ""
	if f.Hint != "" {
		s = f.ID() + "-hint"
	}
	if f.Error != "" {
		if s != "" {
			s += " "
		}
		s += f.ID() + "-error"
	}
	return s
}

// FieldError is one entry of the error summary.
type FieldError struct {
	Name    string
	Message string
}

// Errors are per-field Dutch messages from validating a form.
type Errors map[string]string

// Summary lists the errors in the order of the given field names, for the
// summary at the top of a form.
func (e Errors) Summary(order ...string) []FieldError {
	var out []FieldError
	seen := map[string]bool{}
	for _, n := range order {
		if m, ok := e[n]; ok {
			out = append(out, FieldError{Name: n, Message: m})
			seen[n] = true
		}
	}
	for n, m := range e {
		if !seen[n] {
			out = append(out, FieldError{Name: n, Message: m})
		}
	}
	return out
}

package portal

import (
	"errors"
	"fmt"
	"reflect"
	"strings"

	"github.com/go-playground/validator/v10"

	"github.com/wujw/ohis/web/components"
)

// newValidator returns the one validator of the process, reporting fields
// by their form names.
func newValidator() *validator.Validate {
	v := validator.New(validator.WithRequiredStructEnabled())
	v.RegisterTagNameFunc(func(f reflect.StructField) string {
		name, _, _ := strings.Cut(f.Tag.Get("form"), ",")
		if name == "-" {
			return ""
		}
		return name
	})
	return v
}

// check validates a form struct and returns per-field Dutch messages. The
// `label` tag names the field in messages.
func (s *Server) check(form any) components.Errors {
	err := s.validate.Struct(form)
	if err == nil {
		return nil
	}
	var ves validator.ValidationErrors
	if !errors.As(err, &ves) {
		return components.Errors{"": "Het formulier kon niet worden gecontroleerd."}
	}
	t := reflect.TypeOf(form)
	if t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	errs := components.Errors{}
	for _, fe := range ves {
		label := fe.Field()
		if sf, ok := t.FieldByName(fe.StructField()); ok && sf.Tag.Get("label") != "" {
			label = sf.Tag.Get("label")
		}
		errs[fe.Field()] = message(fe, label)
	}
	return errs
}

// message is the one place validator tags become Dutch.
func message(fe validator.FieldError, label string) string {
	switch fe.Tag() {
	case "required":
		return fmt.Sprintf("Vul %s in.", label)
	case "email":
		return fmt.Sprintf("Vul bij %s een geldig e-mailadres in, zoals naam@voorbeeld.nl.", label)
	case "max":
		return fmt.Sprintf("%s mag hoogstens %s tekens lang zijn.", capitalise(label), fe.Param())
	case "min":
		return fmt.Sprintf("%s moet minstens %s tekens lang zijn.", capitalise(label), fe.Param())
	case "oneof":
		return fmt.Sprintf("Kies een geldige waarde bij %s.", label)
	case "eqfield":
		return "De wachtwoorden zijn niet gelijk."
	}
	return fmt.Sprintf("Controleer %s.", label)
}

func capitalise(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

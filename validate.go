package cauri

import (
	"errors"
	"fmt"
	"strings"

	"github.com/go-playground/validator/v10"
)

// newValidator returns the validator the kit checks orders and its own
// configuration with. One per Kit: it caches struct metadata.
func newValidator() *validator.Validate {
	return validator.New(validator.WithRequiredStructEnabled())
}

// validateStruct checks v against its validate tags and returns a
// *ValidationError naming every bad field, or nil.
func validateStruct(v *validator.Validate, what string, s any) error {
	err := v.Struct(s)
	if err == nil {
		return nil
	}
	var verrs validator.ValidationErrors
	if !errors.As(err, &verrs) {
		return &ValidationError{What: what, Fields: []FieldError{{Field: what, Reason: err.Error()}}}
	}
	ve := &ValidationError{What: what}
	for _, fe := range verrs {
		ve.Fields = append(ve.Fields, FieldError{Field: fieldPath(fe), Reason: reason(fe)})
	}
	return ve
}

// fieldPath drops the top struct's name: "Order.Customer.Email" → "Customer.Email".
func fieldPath(fe validator.FieldError) string {
	ns := fe.StructNamespace()
	if _, rest, ok := strings.Cut(ns, "."); ok {
		return rest
	}
	return ns
}

// reason says in words what a validation tag wanted. It never quotes the
// value, which may be personal data or a secret.
func reason(fe validator.FieldError) string {
	p := fe.Param()
	switch fe.Tag() {
	case "required":
		return "is required"
	case "gt":
		return "must be greater than " + p
	case "gte":
		return "must be at least " + p
	case "lte":
		return "must be at most " + p
	case "min":
		return "must have at least " + p + " " + unit(fe)
	case "max":
		return "must have at most " + p + " " + unit(fe)
	case "email":
		return "must be an email address"
	case "e164":
		return "must be a phone number in E.164 form (+225...)"
	case "iso4217":
		return "must be an ISO 4217 currency code"
	case "iso3166_1_alpha2":
		return "must be an ISO 3166-1 alpha-2 country code"
	case "printascii":
		return "must be printable ASCII"
	case "url", "http_url":
		return "must be an absolute http(s) URL"
	}
	return fmt.Sprintf("fails %q", fe.Tag())
}

func unit(fe validator.FieldError) string {
	switch fe.Kind().String() {
	case "string":
		return "characters"
	}
	return "entries"
}

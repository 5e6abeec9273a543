// Package auth renders the login, password-reset and invitation pages.
package auth

import "github.com/wujw/ohis/web/components"

// DemoLogin is a demo account listed on the login page in demo mode.
type DemoLogin struct {
	Role     string
	Email    string
	Password string
}

// LoginView is the login form.
type LoginView struct {
	Email      string
	Next       string
	Error      string // a Dutch message about the whole attempt
	DemoLogins []DemoLogin
}

// ForgotView is the "forgot password" form.
type ForgotView struct {
	Email  components.Field
	Sent   bool
	Errors []components.FieldError
}

// SetPasswordView is the form to choose a password through a reset or
// invitation link.
type SetPasswordView struct {
	Heading  string
	Intro    string
	Action   string
	Email    string
	Password components.Field
	Confirm  components.Field
	Errors   []components.FieldError
	Invalid  bool // the link is unknown, used or expired
}

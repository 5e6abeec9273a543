// Package errorpage renders the friendly Dutch 403, 404 and 500 pages.
package errorpage

// Kind is which error page to show.
type Kind int

// The error pages.
const (
	NotFound Kind = iota
	Forbidden
	Internal
	CrossOrigin
)

// Code is the HTTP status shown large on the page.
func (k Kind) Code() string {
	switch k {
	case NotFound:
		return "404"
	case Forbidden, CrossOrigin:
		return "403"
	}
	return "500"
}

// Title is the page heading.
func (k Kind) Title() string {
	switch k {
	case NotFound:
		return "Pagina niet gevonden"
	case Forbidden:
		return "Geen toegang"
	case CrossOrigin:
		return "Verzoek geweigerd"
	}
	return "Er ging iets mis"
}

// Message explains what happened and what to do.
func (k Kind) Message() string {
	switch k {
	case NotFound:
		return "Deze pagina bestaat niet (meer). Controleer het adres of ga terug naar de startpagina."
	case Forbidden:
		return "U heeft geen toegang tot deze pagina. Denkt u dat dit niet klopt? Neem dan contact op met een beheerder."
	case CrossOrigin:
		return "Dit verzoek is geweigerd omdat het niet vanaf dit portaal kwam. Ga terug, laad de pagina opnieuw en probeer het nog eens."
	}
	return "Er ging aan onze kant iets mis. Probeer het over een paar minuten opnieuw. Blijft het misgaan, noem dan de foutcode hieronder aan support."
}

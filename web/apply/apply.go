// Package apply renders the public application form for suppliers (step 1
// of the admission process) and its thank-you page.
package apply

import "github.com/wujw/ohis/web/components"

// Option is a choice in a select.
type Option struct {
	Value string
	Label string
}

// FormView is the application form as typed, with a Dutch message per
// wrong field.
type FormView struct {
	CompanyName components.Field
	KvK         components.Field
	VATID       components.Field
	IBAN        components.Field
	ContactName components.Field
	Email       components.Field
	Phone       components.Field
	Website     components.Field
	Platform    string
	Platforms   []Option
	PlatformErr string
	AcceptTerms bool
	TermsErr    string
	Errors      []components.FieldError
	// Throttled: this address sent too many applications; the form stays
	// filled in so nothing typed is lost.
	Throttled bool
}

// Conditions are the tender's conditions the applicant accepts, in short.
var Conditions = []string{
	"Voordat u producten aanbiedt, koppelt u uw webshop aan het inwisselplatform: automatisch (WooCommerce, Shopify, Magento, Lightspeed, EasyPOS) of met een eigen API in de WooCommerce-structuur, tenzij een alternatieve koppeling is afgesproken.",
	"De koppeling is klaar binnen 2 weken na toelating (automatische koppeling) of binnen 4 weken nadat u uw eigen API ter beoordeling beschikbaar stelt.",
	"Voldoet een eigen API niet, dan krijgt u één keer de kans hem te verbeteren; voldoet hij daarna nog niet, dan kan Winst uit je woning u uitsluiten.",
	"Na een geslaagde integratietest met Winst uit je woning wordt u toegelaten tot de productieomgeving.",
	"8 uur ondersteuning bij het koppelen is inbegrepen; extra uren kosten € 100 per uur exclusief btw.",
	"Retouren verwerkt u via uw eigen retourproces; de financiële afhandeling loopt via het platform.",
}

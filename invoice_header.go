package crm

// InvoiceHeader is what names and dates an invoice, without its lines: a
// payment that settles many invoices reads these to date each settlement
// and name the invoice in the fact it records (InvoiceReader.Headers).
type InvoiceHeader struct {
	ID       ID     `json:"id,omitzero"`
	Customer ID     `json:"customer,omitzero"`
	Number   string `json:"number,omitempty" privacy:"none"`
	Issued   Date   `json:"issued,omitzero"`
	Due      Date   `json:"due,omitzero"`
}

// Header returns the invoice's header.
func (i Invoice) Header() InvoiceHeader {
	return InvoiceHeader{ID: i.ID, Customer: i.Customer, Number: i.Number, Issued: i.Issued, Due: i.Due}
}

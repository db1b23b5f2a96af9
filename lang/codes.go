package lang

import (
	"fmt"
	"strings"
)

// Undetermined is the code Detect returns when it cannot tell the language.
const Undetermined = "und"

// Normalize returns the ISO 639-1 code for a language code. It accepts,
// case-insensitively and ignoring surrounding space and any region suffix
// ("en-GB", "pt_BR"), every ISO 639-1 code, the task's folder codes (ge, po,
// gr for German, Polish, Greek), the ISO 639-2 codes of the trained
// languages and Ukrainian (deu/ger, pol, ell/gre, ...) and "und".
func Normalize(code string) (string, error) {
	c := strings.ToLower(strings.TrimSpace(code))
	if i := strings.IndexAny(c, "-_"); i > 0 {
		c = c[:i]
	}
	switch c {
	case "ge", "deu", "ger":
		return "de", nil
	case "po", "pol":
		return "pl", nil
	case "gr", "ell", "gre":
		return "el", nil
	case "eng":
		return "en", nil
	case "fra", "fre":
		return "fr", nil
	case "ita":
		return "it", nil
	case "rus":
		return "ru", nil
	case "spa":
		return "es", nil
	case "kat", "geo":
		return "ka", nil
	case "ukr":
		return "uk", nil
	case Undetermined:
		return Undetermined, nil
	}
	if len(c) == 2 && isoName(c) != "" {
		return c, nil
	}
	return "", fmt.Errorf("lang: unknown language code %q", code)
}

// TaskCode returns the task's folder code for a language code: de → ge,
// pl → po, el → gr; any other code comes back normalised (lowercase ISO
// 639-1) when Normalize accepts it, unchanged otherwise.
func TaskCode(iso string) string {
	c, err := Normalize(iso)
	if err != nil {
		return iso
	}
	switch c {
	case "de":
		return "ge"
	case "pl":
		return "po"
	case "el":
		return "gr"
	}
	return c
}

// Name returns the English name of a language code that Normalize accepts,
// or "" for an unknown code.
func Name(code string) string {
	c, err := Normalize(code)
	if err != nil {
		return ""
	}
	if c == Undetermined {
		return "Undetermined"
	}
	return isoName(c)
}

// isoName looks a lowercase two-letter code up in isoNames.
func isoName(c string) string {
	i := strings.Index(isoNames, "|"+c+":")
	if i < 0 {
		return ""
	}
	name := isoNames[i+len(c)+2:]
	return name[:strings.IndexByte(name, '|')]
}

// isoNames holds every ISO 639-1 code with its English name.
const isoNames = "|" +
	"aa:Afar|ab:Abkhazian|ae:Avestan|af:Afrikaans|ak:Akan|am:Amharic|an:Aragonese|ar:Arabic|" +
	"as:Assamese|av:Avaric|ay:Aymara|az:Azerbaijani|ba:Bashkir|be:Belarusian|bg:Bulgarian|" +
	"bi:Bislama|bm:Bambara|bn:Bengali|bo:Tibetan|br:Breton|bs:Bosnian|ca:Catalan|ce:Chechen|" +
	"ch:Chamorro|co:Corsican|cr:Cree|cs:Czech|cu:Church Slavic|cv:Chuvash|cy:Welsh|da:Danish|" +
	"de:German|dv:Divehi|dz:Dzongkha|ee:Ewe|el:Greek|en:English|eo:Esperanto|es:Spanish|" +
	"et:Estonian|eu:Basque|fa:Persian|ff:Fulah|fi:Finnish|fj:Fijian|fo:Faroese|fr:French|" +
	"fy:Western Frisian|ga:Irish|gd:Scottish Gaelic|gl:Galician|gn:Guarani|gu:Gujarati|gv:Manx|" +
	"ha:Hausa|he:Hebrew|hi:Hindi|ho:Hiri Motu|hr:Croatian|ht:Haitian|hu:Hungarian|hy:Armenian|" +
	"hz:Herero|ia:Interlingua|id:Indonesian|ie:Interlingue|ig:Igbo|ii:Sichuan Yi|ik:Inupiaq|" +
	"io:Ido|is:Icelandic|it:Italian|iu:Inuktitut|ja:Japanese|jv:Javanese|ka:Georgian|kg:Kongo|" +
	"ki:Kikuyu|kj:Kuanyama|kk:Kazakh|kl:Kalaallisut|km:Khmer|kn:Kannada|ko:Korean|kr:Kanuri|" +
	"ks:Kashmiri|ku:Kurdish|kv:Komi|kw:Cornish|ky:Kyrgyz|la:Latin|lb:Luxembourgish|lg:Ganda|" +
	"li:Limburgish|ln:Lingala|lo:Lao|lt:Lithuanian|lu:Luba-Katanga|lv:Latvian|mg:Malagasy|" +
	"mh:Marshallese|mi:Maori|mk:Macedonian|ml:Malayalam|mn:Mongolian|mr:Marathi|ms:Malay|" +
	"mt:Maltese|my:Burmese|na:Nauru|nb:Norwegian Bokmål|nd:North Ndebele|ne:Nepali|ng:Ndonga|" +
	"nl:Dutch|nn:Norwegian Nynorsk|no:Norwegian|nr:South Ndebele|nv:Navajo|ny:Chichewa|" +
	"oc:Occitan|oj:Ojibwa|om:Oromo|or:Oriya|os:Ossetian|pa:Punjabi|pi:Pali|pl:Polish|ps:Pashto|" +
	"pt:Portuguese|qu:Quechua|rm:Romansh|rn:Rundi|ro:Romanian|ru:Russian|rw:Kinyarwanda|" +
	"sa:Sanskrit|sc:Sardinian|sd:Sindhi|se:Northern Sami|sg:Sango|si:Sinhala|sk:Slovak|" +
	"sl:Slovenian|sm:Samoan|sn:Shona|so:Somali|sq:Albanian|sr:Serbian|ss:Swati|st:Southern Sotho|" +
	"su:Sundanese|sv:Swedish|sw:Swahili|ta:Tamil|te:Telugu|tg:Tajik|th:Thai|ti:Tigrinya|" +
	"tk:Turkmen|tl:Tagalog|tn:Tswana|to:Tonga|tr:Turkish|ts:Tsonga|tt:Tatar|tw:Twi|ty:Tahitian|" +
	"ug:Uyghur|uk:Ukrainian|ur:Urdu|uz:Uzbek|ve:Venda|vi:Vietnamese|vo:Volapük|wa:Walloon|" +
	"wo:Wolof|xh:Xhosa|yi:Yiddish|yo:Yoruba|za:Zhuang|zh:Chinese|zu:Zulu|"

# Dates as people in the back office read them ("17 Apr 1985"), never month-first numbers.
DATE_FORMAT = "j M Y"
SHORT_DATE_FORMAT = "j M Y"
DATETIME_FORMAT = "j M Y, H:i"
SHORT_DATETIME_FORMAT = "j M Y H:i"
MONTH_DAY_FORMAT = "j M"
DECIMAL_SEPARATOR = "."
THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
# An amount with its currency: the ISO code first, as in "CLP 85,000,000" (a no-break space).
CURRENCY_FORMAT = "{code}\u00a0{amount}"
CURRENCY_FORMATS: dict[str, str] = {}

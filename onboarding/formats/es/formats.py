# "17 abr 1985": Chilean usage, the month abbreviated in lower case.
DATE_FORMAT = "j b Y"
SHORT_DATE_FORMAT = "j b Y"
DATETIME_FORMAT = "j b Y, H:i"
SHORT_DATETIME_FORMAT = "j b Y H:i"
MONTH_DAY_FORMAT = "j b"
DECIMAL_SEPARATOR = ","
THOUSAND_SEPARATOR = "."
NUMBER_GROUPING = 3
# An amount with its currency: "USD 85.000.000"; Chilean pesos as Chileans write them,
# "$85.000.000".
CURRENCY_FORMAT = "{code}\u00a0{amount}"
CURRENCY_FORMATS = {"CLP": "${amount}"}

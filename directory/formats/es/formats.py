# The Spanish edition's dates: "2 de diciembre de 2026" everywhere (Spanish abbreviates
# months rarely, and Django's abbreviations are capitalised: "2 Dic 2026").
DATE_FORMAT = r"j \d\e F \d\e Y"
SHORT_DATE_FORMAT = r"j \d\e F \d\e Y"
SHORT_DATETIME_FORMAT = r"j \d\e F \d\e Y, H:i"
YEAR_MONTH_FORMAT = r"F \d\e Y"
MONTH_DAY_FORMAT = r"j \d\e F"
TIME_FORMAT = "H:i"
DATETIME_FORMAT = r"j \d\e F \d\e Y \a \l\a\s H:i"
# Numbers as Spanish is written in the US and Mexico (es-US in Unicode's CLDR): "2.5 millas",
# "$1,200"; Spain's "2,5" would read as a list to most readers here.
DECIMAL_SEPARATOR = "."
THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
FIRST_DAY_OF_WEEK = 0

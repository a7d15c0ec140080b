// Text normalisation for the catalogue's search, filters and title order. Italian metadata is
// written with accents ("Mensilità", "solidarietà") that users often type without, and in any
// case, so every comparison goes through one folding.
#ifndef OMNIA_LIBS_CATALOGUE_TEXT_FOLD_H_
#define OMNIA_LIBS_CATALOGUE_TEXT_FOLD_H_

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

// IsValidUtf8, which the catalogue checks every text field with.
#include "libs/base/utf8.h"

namespace omnia::catalogue {

// Folds UTF-8 text for comparison: ASCII letters and the Latin-1 letters (à è é ì ò ù, their
// capitals, ç, ñ, ...) become unaccented lowercase ASCII ("ß" becomes "ss", "æ" "ae"); runs of
// spaces, ASCII punctuation, Latin-1 symbols and general punctuation (’ “ ” – …) become one
// space; leading and trailing spaces are dropped. Other characters, and bytes that are not
// valid UTF-8, are kept as they are. "Numero  Mensilità!" -> "numero mensilita".
std::string FoldText(std::string_view text);

// The words of FoldText(text), split at its spaces.
std::vector<std::string> FoldedWords(std::string_view text);

// Number of code points of well-formed UTF-8 text (length limits are in characters).
size_t CodePointCount(std::string_view text);

}  // namespace omnia::catalogue

#endif  // OMNIA_LIBS_CATALOGUE_TEXT_FOLD_H_

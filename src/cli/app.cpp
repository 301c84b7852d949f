#include "cli/app.h"

namespace amapiano::cli {

int RunApp(int, char**) { return 0; }

}  // namespace amapiano::cli

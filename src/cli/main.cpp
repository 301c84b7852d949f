#include "cli/app.h"

int main(int argc, char** argv) { return amapiano::cli::RunApp(argc, argv); }

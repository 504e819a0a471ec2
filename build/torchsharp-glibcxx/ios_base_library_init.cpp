// GCC 13 emits calls to std::ios_base_library_init() for #include <iostream>; GCC 12's libstdc++
// (Debian 12) lacks the symbol but already initialises iostreams itself, so an empty body is
// all that libLibTorchSharp.so needs from it.
namespace std { void ios_base_library_init() {} }

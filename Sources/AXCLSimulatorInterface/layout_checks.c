// The simulator interface headers are shared by the simulator (which implements them) and by
// tests and tools (which resolve the control functions with dlsym and write model files).
#include "axsim_control.h"
_Static_assert(sizeof(axsim_stats) == 56, "axsim_stats layout is read from Swift");
#include "axsim_model_format.h"
_Static_assert(sizeof(axsim_model_header) == 128, "axsim_model_header is 128 bytes on disk");
_Static_assert(sizeof(axsim_io_entry) == 72, "axsim_io_entry is 72 bytes on disk");
_Static_assert(sizeof(axsim_io_shape) == 36, "axsim_io_shape is 36 bytes on disk");
_Static_assert(sizeof(axsim_tensor_entry) == 104, "axsim_tensor_entry is 104 bytes on disk");

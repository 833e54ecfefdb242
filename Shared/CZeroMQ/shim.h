#ifndef PASSERELLE_CZEROMQ_SHIM_H
#define PASSERELLE_CZEROMQ_SHIM_H
// libzmq from Debian's libzmq3-dev (found through pkg-config "libzmq").
#include <zmq.h>
#include <sys/eventfd.h>
#endif

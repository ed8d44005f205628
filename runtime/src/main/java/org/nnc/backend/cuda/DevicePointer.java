package org.nnc.backend.cuda;

import jcuda.driver.CUdeviceptr;

/**
 * A device pointer whose address can be read, to hand to kernel launches and cuBLAS through the
 * foreign-function API.
 * JCuda keeps the address in a protected field; a subclass may read it from its own instances, which is
 * why the allocator makes its blocks of this class.
 */
final class DevicePointer extends CUdeviceptr {
    /** The device address this pointer holds. */
    long address() { return getNativePointer() + getByteOffset(); }
}

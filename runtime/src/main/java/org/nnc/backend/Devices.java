package org.nnc.backend;

import java.util.Locale;
import org.nnc.backend.cpu.CpuBackend;
import org.nnc.backend.cuda.Cuda;
import org.nnc.tensor.Device;

/** Finds the backend of a device, and resolves the {@code cpu | cuda | auto} choice of a train block or flag. */
public final class Devices {
    private Devices() {}

    /** The kernels of {@code device}; a CUDA device that cannot be used is an error that says why. */
    public static Backend backend(Device device) {
        return device.kind() == Device.Kind.CPU ? CpuBackend.INSTANCE : Cuda.backend(device.index());
    }

    /** What a device choice means on this machine. */
    public record Choice(Device device, String note) {}

    /**
     * {@code cpu}, {@code cuda[:N]} or {@code auto} (null counts as auto). auto takes the GPU when one is usable and
     * otherwise says in its note why training runs on the CPU; an explicit cuda that is unusable is an error.
     */
    public static Choice resolve(String choice) {
        String c = choice == null ? "auto" : choice.trim().toLowerCase(Locale.ROOT);
        if (c.equals("auto")) {
            String why = Cuda.unavailableReason();
            return why == null ? new Choice(Device.cuda(0), "device auto: training on " + Cuda.describe(0))
                    : new Choice(Device.CPU, "device auto: training on the CPU (" + why + ")");
        }
        Device d = Device.parse(c);
        if (d.kind() == Device.Kind.CPU) return new Choice(d, null);
        backend(d);
        return new Choice(d, "training on " + Cuda.describe(d.index()));
    }
}

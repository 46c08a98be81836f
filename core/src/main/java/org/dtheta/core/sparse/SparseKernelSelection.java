package org.dtheta.core.sparse;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import org.dtheta.core.kernel.Kernels;

/**
 * Chooses the {@link SparseKernels} once per JVM, lazily (a holder class): the Vector API class
 * is loaded by name only when the dense kernels use the Vector API, so nothing links against
 * the incubator module otherwise.
 */
final class SparseKernelSelection {
  static final SparseKernels SCALAR = new ScalarSparseKernels();
  static final SparseKernels SELECTED = select();

  private SparseKernelSelection() {}

  private static SparseKernels select() {
    if (!Kernels.implementation().name().startsWith("panama")) {
      return SCALAR;
    }
    try {
      Class<?> cls = MethodHandles.lookup()
          .findClass(SparseKernels.class.getPackageName() + ".PanamaSparseKernels");
      return (SparseKernels)
          MethodHandles.lookup().findConstructor(cls, MethodType.methodType(void.class)).invoke();
    } catch (RuntimeException | Error e) {
      throw e;
    } catch (Throwable e) {
      throw new LinkageError("could not load the Vector API sparse kernels", e);
    }
  }
}

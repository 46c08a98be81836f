package org.dtheta.core.internal.sparse;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import org.dtheta.core.kernel.Kernels;
import org.dtheta.core.sparse.SparseKernels;

/**
 * Chooses the {@link SparseKernels} once per JVM, lazily (a holder class): the Vector API class
 * is loaded by name only when the dense kernels use the Vector API, so nothing links against
 * the incubator module otherwise.
 */
public final class SparseKernelSelection {
  public static final SparseKernels SCALAR = new ScalarSparseKernels();
  public static final SparseKernels SELECTED = select();

  private SparseKernelSelection() {}

  private static SparseKernels select() {
    if (!Kernels.implementation().name().startsWith("panama")) {
      return SCALAR;
    }
    try {
      Class<?> cls = MethodHandles.lookup()
          .findClass(SparseKernelSelection.class.getPackageName() + ".PanamaSparseKernels");
      return (SparseKernels)
          MethodHandles.lookup().findConstructor(cls, MethodType.methodType(void.class)).invoke();
    } catch (RuntimeException | Error e) {
      throw e;
    } catch (Throwable e) {
      throw new LinkageError("could not load the Vector API sparse kernels", e);
    }
  }
}

package org.dtheta.core.internal.kernel;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.Locale;
import java.util.Optional;
import java.util.logging.Logger;

/**
 * Chooses the kernel implementation once per JVM: the Vector API one when the
 * {@code jdk.incubator.vector} module is readable and the CPU has wide enough vectors, the
 * scalar one otherwise. The system property {@code dtheta.kernels=auto|scalar|panama} forces a
 * choice ({@code panama} fails loudly when it cannot be had). When {@code auto} falls back to the
 * scalar kernels because the module is absent, a WARNING (java.util.logging, logger {@code
 * org.dtheta.core.internal.kernel.KernelProvider}) says how to add it.
 */
public final class KernelProvider {

  private static final Logger LOG = Logger.getLogger(KernelProvider.class.getName());
  private static final String VECTOR_MODULE = "jdk.incubator.vector";

  /**
   * Logged at WARNING when {@code dtheta.kernels=auto} falls back to the scalar kernels because
   * the module is absent (not when the user asked for {@code scalar}).
   */
  static final String MISSING_MODULE_WARNING =
      "dtheta: the Vector API module is not available, so the scalar kernels run"
          + " (slower). Run java with '--add-modules jdk.incubator.vector' for the SIMD kernels,"
          + " or with -Ddtheta.kernels=scalar to choose the scalar ones without this warning.";

  private KernelProvider() {}

  /** The implementation selected for this JVM. */
  public static KernelSupport get() {
    return Holder.INSTANCE;
  }

  /** The portable implementation, whatever was selected (for tests and benchmarks). */
  public static KernelSupport scalar() {
    return Holder.SCALAR;
  }

  /**
   * The Vector API implementation, or empty when the module is not readable in this JVM (for
   * tests and benchmarks that compare the two).
   */
  public static Optional<KernelSupport> panama() {
    return Optional.ofNullable(Holder.PANAMA);
  }

  // A holder class: initialised on first use, which avoids class-loading deadlocks.
  private static final class Holder {
    static final KernelSupport SCALAR = new ScalarKernels();
    static final KernelSupport PANAMA = loadPanama();
    static final KernelSupport INSTANCE = select();
  }

  private static KernelSupport select() {
    String mode =
        System.getProperty("dtheta.kernels", "auto").trim().toLowerCase(Locale.ROOT);
    switch (mode) {
      case "scalar":
        return Holder.SCALAR;
      case "panama":
        if (Holder.PANAMA == null) {
          throw new IllegalStateException(
              "dtheta.kernels=panama but the Vector API is not available: run java with"
                  + " --add-modules jdk.incubator.vector");
        }
        return Holder.PANAMA;
      case "auto":
        if (Holder.PANAMA == null) {
          // When the module is there but unusable, loadPanama has already said why.
          if (!vectorModulePresent()) {
            LOG.warning(MISSING_MODULE_WARNING);
          }
          return Holder.SCALAR;
        }
        return Holder.PANAMA;
      default:
        throw new IllegalArgumentException(
            "system property dtheta.kernels must be auto, scalar or panama, not '" + mode + "'");
    }
  }

  private static Optional<Module> vectorModule() {
    Module self = KernelProvider.class.getModule();
    ModuleLayer layer = Optional.ofNullable(self.getLayer()).orElse(ModuleLayer.boot());
    return layer.findModule(VECTOR_MODULE);
  }

  private static boolean vectorModulePresent() {
    return vectorModule().isPresent();
  }

  private static KernelSupport loadPanama() {
    Module self = KernelProvider.class.getModule();
    Optional<Module> vectorModule = vectorModule();
    if (vectorModule.isEmpty()) {
      return null;
    }
    vectorModule.ifPresent(self::addReads);
    try {
      // Loaded by name so that nothing links against the incubator module unless it is there.
      Class<?> cls =
          MethodHandles.lookup().findClass(KernelProvider.class.getPackageName() + ".PanamaKernels");
      return (KernelSupport)
          MethodHandles.lookup().findConstructor(cls, MethodType.methodType(void.class)).invoke();
    } catch (UnsupportedOperationException e) {
      LOG.warning("Vector API present but not usable (" + e.getMessage() + "); using scalar kernels");
      return null;
    } catch (RuntimeException | Error e) {
      throw e;
    } catch (Throwable e) {
      throw new LinkageError("could not load the Vector API kernels", e);
    }
  }
}

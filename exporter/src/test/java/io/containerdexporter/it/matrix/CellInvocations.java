package io.containerdexporter.it.matrix;

import io.containerdexporter.testkit.ContainerdRelease;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterClassTemplateInvocationCallback;
import org.junit.jupiter.api.extension.BeforeClassTemplateInvocationCallback;
import org.junit.jupiter.api.extension.ClassTemplateInvocationContext;
import org.junit.jupiter.api.extension.ClassTemplateInvocationContextProvider;
import org.junit.jupiter.api.extension.Extension;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * The JUnit extension behind a matrix class ({@code @ClassTemplate}): one invocation of the class
 * per release, each starting its {@link Cell} before the class's scenarios, handing it to the
 * constructor, and closing it after them. A cell that cannot start files its whole row red (see
 * {@link CellStartup}) and fails the invocation. Abstract only because JUnit instantiates an
 * extension through a no-argument constructor: each matrix class subclasses it with its cells.
 */
abstract class CellInvocations implements ClassTemplateInvocationContextProvider {
  private final String kernel;
  private final Function<ContainerdRelease, Cell> starter;
  private final List<ContainerdRelease> releases;

  /**
   * {@code kernel}: e.g. "cgroup v1 (host)", the kernel half of each row's name; {@code releases}:
   * one row of the table each.
   */
  CellInvocations(
      String kernel, Function<ContainerdRelease, Cell> starter, List<ContainerdRelease> releases) {
    this.kernel = kernel;
    this.starter = starter;
    this.releases = releases;
  }

  @Override
  public boolean supportsClassTemplate(ExtensionContext context) {
    return true;
  }

  @Override
  public Stream<ClassTemplateInvocationContext> provideClassTemplateInvocationContexts(
      ExtensionContext context) {
    return releases.stream().map(Invocation::new);
  }

  private final class Invocation
      implements ClassTemplateInvocationContext,
          BeforeClassTemplateInvocationCallback,
          AfterClassTemplateInvocationCallback,
          ParameterResolver {
    private final ContainerdRelease release;
    private Cell cell;

    Invocation(ContainerdRelease release) {
      this.release = release;
    }

    @Override
    public String getDisplayName(int invocationIndex) {
      return "containerd " + release.version() + " · " + kernel;
    }

    @Override
    public List<Extension> getAdditionalExtensions() {
      return List.of(this);
    }

    @Override
    public void beforeClassTemplateInvocation(ExtensionContext context) {
      cell = CellStartup.start(release, kernel, () -> starter.apply(release));
    }

    @Override
    public void afterClassTemplateInvocation(ExtensionContext context) {
      if (cell != null) {
        cell.close();
        cell = null;
      }
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
      return parameter.getParameter().getType() == Cell.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
      return cell;
    }
  }
}

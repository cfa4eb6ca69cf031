package io.payrouter;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/** The house rules of the code layout, enforced on the compiled main classes. */
@AnalyzeClasses(packages = "io.payrouter", importOptions = ImportOption.DoNotIncludeTests.class)
class LayeringTest {

  @ArchTest
  static final ArchRule routingIsPureJavaAndImportsNothingOfTheProject = classes()
      .that().resideInAPackage("io.payrouter.routing..")
      .should().onlyDependOnClassesThat().resideInAnyPackage("io.payrouter.routing..", "java..");

  @ArchTest
  static final ArchRule domainDependsOnNothingButCommon = classes()
      .that().resideInAPackage("io.payrouter.domain..")
      .should().onlyDependOnClassesThat().resideInAnyPackage("io.payrouter.domain..", "io.payrouter.common..", "java..");

  @ArchTest
  static final ArchRule connectorsNeverTouchTheStoreOrTheOrchestrator = noClasses()
      .that().resideInAPackage("io.payrouter.connector..")
      .should().dependOnClassesThat().resideInAnyPackage("io.payrouter.store..", "io.payrouter.charge..",
          "io.payrouter.recovery..", "io.payrouter.api..", "io.payrouter.simulator..", "io.payrouter.rules..");

  @ArchTest
  static final ArchRule simulatorsNeverImportRouterCode = noClasses()
      .that().resideInAPackage("io.payrouter.simulator..")
      .should().dependOnClassesThat().resideInAnyPackage("io.payrouter.connector..", "io.payrouter.store..",
          "io.payrouter.charge..", "io.payrouter.api..", "io.payrouter.recovery..", "io.payrouter.rules..",
          "io.payrouter.domain..", "io.payrouter.routing..");

  /**
   * Refunds are the charge path's sibling: the orchestrator uses charges, connectors and the store;
   * it never reaches up to the API, the reconciler or the console.
   */
  @ArchTest
  static final ArchRule refundsReachNeitherTheApiNorTheReconciler = noClasses()
      .that().resideInAPackage("io.payrouter.refund..")
      .should().dependOnClassesThat().resideInAnyPackage("io.payrouter.api..", "io.payrouter.recovery..",
          "io.payrouter.console..", "io.payrouter.simulator..", "io.payrouter.rules..", "io.payrouter.cluster..");

  @ArchTest
  static final ArchRule theChargePathKnowsNothingOfRefunds = noClasses()
      .that().resideInAnyPackage("io.payrouter.charge..", "io.payrouter.connector..", "io.payrouter.store..",
          "io.payrouter.domain..")
      .should().dependOnClassesThat().resideInAPackage("io.payrouter.refund..");

  @ArchTest
  static final ArchRule apiNeverImportsTheStore = noClasses()
      .that().resideInAPackage("io.payrouter.api..")
      .should().dependOnClassesThat().resideInAPackage("io.payrouter.store..");

  @ArchTest
  static final ArchRule theClusterCarriesMessagesAndKnowsNoService = noClasses()
      .that().resideInAPackage("io.payrouter.cluster..")
      .should().dependOnClassesThat().resideInAnyPackage("io.payrouter.store..", "io.payrouter.charge..",
          "io.payrouter.recovery..", "io.payrouter.api..", "io.payrouter.rules..", "io.payrouter.merchant..",
          "io.payrouter.connector..", "io.payrouter.simulator..");

  /**
   * The console is a surface over the operations API: its pages call the API's own handlers, so it
   * knows the API's surface hook and problems, never a service or the store (no logic of its own).
   */
  @ArchTest
  static final ArchRule theConsoleReachesServicesOnlyThroughTheApi = noClasses()
      .that().resideInAPackage("io.payrouter.console..")
      .should().dependOnClassesThat().resideInAnyPackage("io.payrouter.store..", "io.payrouter.charge..",
          "io.payrouter.rules..", "io.payrouter.routing..", "io.payrouter.connector..", "io.payrouter.recovery..",
          "io.payrouter.merchant..", "io.payrouter.simulator..", "io.payrouter.cluster..", "io.payrouter.domain..");

  @ArchTest
  static final ArchRule theApiDoesNotKnowTheConsole = noClasses()
      .that().resideInAPackage("io.payrouter.api..")
      .should().dependOnClassesThat().resideInAPackage("io.payrouter.console..");

  @ArchTest
  static final ArchRule onlyTheStoreSpeaksSql = noClasses()
      .that().resideOutsideOfPackages("io.payrouter.store..")
      .and().resideOutsideOfPackage("io.payrouter")
      .should().dependOnClassesThat().resideInAnyPackage("io.vertx.sqlclient..", "io.vertx.pgclient..");

  /** Every router_* meter is named, described and registered in one place (metrics/Metrics). */
  @ArchTest
  static final ArchRule onlyTheMetricsPackageDefinesMeters = noClasses()
      .that().resideOutsideOfPackage("io.payrouter.metrics..")
      .should().dependOnClassesThat().resideInAPackage("io.micrometer.core.instrument..");

  @ArchTest
  static final ArchRule packagesAreFreeOfCycles = slices().matching("io.payrouter.(*)..").should().beFreeOfCycles();
}

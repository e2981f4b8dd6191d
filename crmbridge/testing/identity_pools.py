"""Name pools of the seeded identity benchmark, one culture group each.

Lists run from the most to the least frequent name; the generator draws them with a
Zipf-Mandelbrot law, so "Smith", "García", "Wang" and "Kim" are common and the long tail
(a few hundred surnames per group, real ones first, then built from the group's own roots
and suffixes) is rare. Cyrillic and Greek groups are written in their own script and
romanised per person by one of several schemes, as passports, CRMs and people do.
"""

# ruff: noqa: RUF001  (names and cities in Cyrillic, Greek, Arabic and CJK script)

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Culture:
    """A culture group: its names, how they vary, where its people live."""

    key: str
    weight: float
    homes: tuple[tuple[str, float], ...]
    male: tuple[str, ...]
    female: tuple[str, ...]
    surnames: tuple[str, ...]
    nicknames: dict[str, tuple[str, ...]] = field(default_factory=dict)
    variants: tuple[tuple[str, ...], ...] = ()
    native: dict[str, str] = field(default_factory=dict)
    script: str = "latin"
    family_first: bool = False
    surname_q: float = 12.0
    surname_s: float = 1.0
    compound: float = 0.0
    english_names: float = 0.0  # share who also go by an English given name


def _w(text: str) -> tuple[str, ...]:
    """Names separated by whitespace; ``_`` stands for a space inside one name."""
    return tuple(dict.fromkeys(t.replace("_", " ") for t in text.split()))


def _nick(text: str) -> dict[str, tuple[str, ...]]:
    """``Name:nick,nick;Name:nick`` into a mapping."""
    out: dict[str, tuple[str, ...]] = {}
    for entry in text.split(";"):
        if entry.strip():
            name, _, nicks = entry.strip().partition(":")
            out[name.strip()] = tuple(n.strip() for n in nicks.split(","))
    return out


def _groups(text: str) -> tuple[tuple[str, ...], ...]:
    """``a/b/c;d/e`` into spelling groups."""
    return tuple(tuple(g.strip().split("/")) for g in text.split(";") if g.strip())


def _native(text: str) -> dict[str, str]:
    """``Latin=native`` pairs separated by whitespace."""
    return dict(p.split("=", 1) for p in text.split())


def _tail(head: tuple[str, ...], roots: str, suffixes: str, limit: int = 600) -> tuple[str, ...]:
    """Real names first, then root+suffix names of the same shape, rarest last."""
    seen = set(head)
    out = list(head)
    for suffix in suffixes.split():
        for root in roots.split():
            name = root + suffix
            if name not in seen:
                seen.add(name)
                out.append(name)
    return tuple(out[: max(limit, len(head))])


ENGLISH = Culture(
    "english",
    24.0,
    (("US", 55), ("GB", 25), ("CA", 8), ("AU", 7), ("IE", 5)),
    _w(
        "James John Robert Michael William David Richard Joseph Thomas Christopher Charles "
        "Daniel Matthew Anthony Mark Steven Paul Andrew Joshua Kenneth Kevin Brian George "
        "Timothy Ronald Jason Edward Jeffrey Ryan Jacob Gary Nicholas Eric Jonathan Stephen "
        "Larry Justin Scott Brandon Benjamin Samuel Gregory Alexander Patrick Frank Raymond "
        "Jack Dennis Jerry Tyler Aaron Henry Douglas Peter Adam Nathan Zachary Walter Kyle "
        "Harold Carl Jeremy Gerald Keith Roger Arthur Terry Lawrence Sean Christian Ethan "
        "Austin Joe Albert Jesse Willie Billy Bryan Bruce Noah Jordan Dylan Ralph Roy Alan "
        "Wayne Eugene Juan Gabriel Louis Russell Randy Vincent Philip Logan Bobby Harry "
        "Johnny Oliver Liam Mason Owen Callum Rhys Declan Seamus Ciaran"
    ),
    _w(
        "Mary Patricia Jennifer Linda Elizabeth Barbara Susan Jessica Sarah Karen Lisa Nancy "
        "Betty Sandra Margaret Ashley Kimberly Emily Donna Michelle Carol Amanda Melissa "
        "Deborah Stephanie Dorothy Rebecca Sharon Laura Cynthia Amy Kathleen Angela Shirley "
        "Brenda Emma Anna Pamela Nicole Samantha Katherine Christine Helen Debra Rachel "
        "Carolyn Janet Maria Catherine Heather Diane Olivia Julie Joyce Victoria Ruth "
        "Virginia Lauren Kelly Christina Joan Evelyn Judith Andrea Hannah Megan Cheryl "
        "Jacqueline Martha Madison Teresa Gloria Sara Janice Ann Kathryn Abigail Sophia "
        "Frances Jean Alice Judy Isabella Julia Grace Amber Denise Danielle Marilyn Beverly "
        "Charlotte Natalie Theresa Diana Brittany Doris Kayla Alexis Lori Siobhan Niamh "
        "Aoife Chloe Zoe Isla Poppy"
    ),
    _tail(
        _w(
            "Smith Johnson Williams Brown Jones Miller Davis Wilson Anderson Taylor Thomas "
            "Moore Jackson Martin White Harris Thompson Clark Lewis Robinson Walker Young "
            "Allen King Wright Scott Hill Green Adams Nelson Baker Hall Campbell Mitchell "
            "Carter Roberts Phillips Evans Turner Parker Collins Edwards Stewart Morris "
            "Murphy Cook Rogers Morgan Cooper Peterson Bailey Reed Kelly Howard Cox Ward "
            "Richardson Watson Brooks Wood James Bennett Gray Hughes Price Sanders Myers Long "
            "Ross Foster Powell Jenkins Perry Russell Sullivan Bell Coleman Butler Henderson "
            "Barnes Fisher Simmons Patterson Jordan Reynolds Hamilton Graham Wallace Cole "
            "West Stone Hayes Gibson Ellis Marshall Murray Ford Owens McDonald Harrison "
            "Kennedy Wells O'Brien O'Connor O'Neill MacDonald McCarthy Walsh Byrne Ryan "
            "Lynch Doyle Quinn Fitzgerald Davies Jenkins Lloyd Pritchard Vaughan Hargreaves "
            "Atkinson Whitaker Thornton Fairclough Ashworth Greenwood Pickering Brennan "
            "Gallagher Donnelly McLaughlin Kavanagh Sheridan Nolan Ferguson Robertson "
            "Sinclair Drummond Buchanan MacLeod Mackenzie Fraser Grant Chambers Dawson "
            "Lambert Barker Holmes Palmer Fletcher Porter Webb Mason Spencer Hunt Matthews "
            "Knight Lane Rose Holland Harvey Hart Pearson Dixon Wade Burke Hudson Gardner"
        ),
        "Ash Brad Brook Clay Cran Dal Far Hart Hay Holt Ken Lang Lock Mar Mid New Nor Pen "
        "Red Rad Shel Stan Stock Thorn Wal Wes Whit Win Ather Black Crom Dun Fair Gold Hal "
        "Hux Kirk Lind Pem Sel Sut Til Ald Bur Chad Dar Elling Gris Hollin Marl Oak Pres",
        "ton ley ford field wood worth by ham well more combe hurst wick ridge stone",
    ),
    _nick(
        "William:Bill,Will,Billy,Liam;Robert:Bob,Rob,Bobby,Robbie;Elizabeth:Liz,Beth,Betty,"
        "Lizzie,Eliza;Katherine:Kate,Kathy,Katie,Kat;Catherine:Cathy,Cat,Kate;James:Jim,"
        "Jimmy,Jamie;Margaret:Peggy,Maggie,Meg;Michael:Mike,Mikey,Mick;Jennifer:Jen,Jenny;"
        "Richard:Rick,Rich,Dick,Ricky;Thomas:Tom,Tommy;Christopher:Chris,Topher;Daniel:"
        "Dan,Danny;Joseph:Joe,Joey;Patricia:Pat,Trish,Patty;Susan:Sue,Susie;Anthony:Tony;"
        "Rebecca:Becky,Becca;Alexander:Alex,Xander;Samantha:Sam,Sammy;Benjamin:Ben,Benny;"
        "Nicholas:Nick,Nicky;Jonathan:Jon,Jonny;Victoria:Vicky,Tori;Andrew:Andy,Drew;"
        "Matthew:Matt,Matty;Steven:Steve;Stephen:Steve;Deborah:Deb,Debbie;Edward:Ed,Eddie,"
        "Ted;Kenneth:Ken,Kenny;Timothy:Tim,Timmy;Gregory:Greg;Lawrence:Larry;Theodore:"
        "Ted,Teddy,Theo;Jacqueline:Jackie;Kimberly:Kim;Amanda:Mandy;Pamela:Pam;Christine:"
        "Chris,Chrissy;Abigail:Abby;Samuel:Sam;Zachary:Zach;Henry:Harry,Hank;Jacob:Jake;"
        "Joshua:Josh;Charles:Charlie,Chuck;Frances:Fran;Judith:Judy;Dorothy:Dot,Dottie;"
        "Kathleen:Kathy,Kath;Gerald:Gerry;Raymond:Ray;Ronald:Ron,Ronnie;Douglas:Doug;"
        "Jeffrey:Jeff;Peter:Pete;Frank:Frankie;Madison:Maddie;Natalie:Nat;Harold:Hal"
    ),
    _groups(
        "Catherine/Katherine/Kathryn;Stephen/Steven;Jeffrey/Geoffrey;Sara/Sarah;"
        "Jon/John;Ann/Anne;MacDonald/McDonald;O'Brien/OBrien/O Brien;O'Connor/OConnor;"
        "O'Neill/ONeill/O'Neil"
    ),
)

GERMAN = Culture(
    "german",
    9.0,
    (("DE", 78), ("AT", 12), ("CH", 10)),
    _w(
        "Peter Michael Thomas Andreas Wolfgang Klaus Jürgen Stefan Christian Uwe Werner Frank "
        "Hans Bernd Matthias Alexander Martin Markus Dieter Günter Sebastian Tobias Jan Jörg "
        "Manfred Ralf Helmut Horst Florian Heinz Gerhard Dirk Daniel Rainer Sven Lukas Felix "
        "Maximilian Jonas Leon Paul Ben Finn Niklas Moritz Johannes Philipp Dominik Timo "
        "Torsten Volker Holger Björn Kai Lars Friedrich Wilhelm Josef Franz Georg Karl "
        "Heinrich Ulrich Joachim Reinhard Rüdiger Götz Sören"
    ),
    _w(
        "Sabine Susanne Petra Claudia Andrea Monika Birgit Stefanie Nicole Katharina Julia "
        "Anna Karin Martina Ursula Renate Heike Gabriele Christina Sandra Melanie Tanja "
        "Brigitte Ingrid Elisabeth Helga Laura Lea Lena Hannah Leonie Sophie Marie Johanna "
        "Jana Franziska Anja Kerstin Silke Daniela Simone Katrin Jessica Lisa Miriam Ute "
        "Dörte Jutta Gudrun Hildegard Margarete Bärbel Jülide Annika Greta Frieda Mathilda"
    ),
    _tail(
        _w(
            "Müller Schmidt Schneider Fischer Weber Meyer Wagner Becker Schulz Hoffmann "
            "Schäfer Koch Bauer Richter Klein Wolf Schröder Neumann Schwarz Zimmermann Braun "
            "Krüger Hofmann Hartmann Lange Schmitt Werner Schmitz Krause Meier Lehmann Schmid "
            "Schulze Maier Köhler Herrmann König Walter Mayer Huber Kaiser Fuchs Peters Lang "
            "Scholz Möller Weiß Jung Hahn Schubert Vogel Friedrich Keller Günther Frank Berger "
            "Winkler Roth Beck Lorenz Baumann Franke Albrecht Schuster Simon Ludwig Böhm "
            "Winter Kraus Martin Schumacher Krämer Vogt Stein Jäger Otto Sommer Groß Seidel "
            "Heinrich Brandt Haas Schreiber Graf Schulte Dietrich Ziegler Kuhn Kühn Pohl Engel "
            "Horn Busch Bergmann Thomas Voigt Sauer Arnold Wolff Pfeiffer Gruber Pichler "
            "Steiner Moser Hofer Leitner Egger Wimmer Brunner Aigner Eder Reiter Baumgartner "
            "Ebner Lechner Kofler Gasser Meister Hauser Bachmann Frei Gerber Widmer Keller "
            "von_Bergen von_der_Heide von_Stein zu_Guttenberg"
        ),
        "Alt Bach Berg Brand Busch Eich Eisen Feld Fried Gold Grün Hart Hein Hof Holz Kirch "
        "Klein Lind Mühl Neu Ober Rosen Schön Stein Sonn Wald Weiß Wester Wiesen Kessel "
        "Kreuz Mittel Reichen Rott Stolz Tann Unter Hassel Hohen Lauten Brück Eng Dorn Ried",
        "mann er berg feld bach hof hauer meier huber inger stein burg thal brunner",
    ),
    _nick(
        "Johannes:Hans,Hansi,Hannes,Jo;Hans:Hansi;Wolfgang:Wolfi;Alexander:Alex;Matthias:"
        "Matze,Matti;Christian:Chris;Katharina:Kathi,Tina,Katja;Elisabeth:Lisa,Sissi,"
        "Liesl,Elli;Margarete:Grete,Gretel;Friedrich:Fritz;Franz:Franzl;Josef:Sepp,Seppi;"
        "Andreas:Andi;Thomas:Tom,Tommy;Michael:Michi,Micha;Stefanie:Steffi;Susanne:Susi,"
        "Sanne;Wilhelm:Willi;Heinrich:Heinz,Heini;Ulrich:Uli;Maximilian:Max,Maxi;"
        "Sebastian:Basti;Tobias:Tobi;Dominik:Dome;Stefan:Steff;Johanna:Hanna,Jo;"
        "Gabriele:Gabi;Barbara:Babsi,Bärbel;Franziska:Franzi;Daniela:Dani;Jürgen:Jogi;"
        "Joachim:Jogi,Achim;Bernd:Bernie;Martina:Tina;Christina:Tina;Philipp:Phil;"
        "Dieter:Didi;Helmut:Helle;Ursula:Uschi,Ulla;Rainer:Reini"
    ),
    _groups(
        "Meyer/Meier/Maier/Mayer/Mayr;Schmidt/Schmitt/Schmid;Hoffmann/Hofmann;"
        "Stefan/Stephan;Christoph/Christof;Weiß/Weiss;Groß/Gross;Jörg/Joerg/Jorg;"
        "Günter/Günther/Gunter/Guenter;Ralf/Ralph;Claudia/Klaudia;Carl/Karl"
    ),
)

FRENCH = Culture(
    "french",
    7.0,
    (("FR", 78), ("BE", 10), ("CH", 5), ("CA", 7)),
    _w(
        "Jean Pierre Michel André Philippe Alain Bernard Jacques Daniel Christian Nicolas "
        "Patrick Christophe Éric Frédéric Laurent Stéphane David Julien Sébastien Thomas "
        "François Olivier Pascal Thierry Vincent Guillaume Antoine Maxime Alexandre Hugo "
        "Lucas Louis Gabriel Arthur Raphaël Jules Léo Théo Nathan Mathis Clément Romain "
        "Benoît Loïc Yannick Jérôme Cédric Fabrice Didier Gérard Yves Hervé Gilles Joël "
        "Jean-Pierre Jean-Luc Jean-Claude Jean-Marc Jean-Baptiste Jean-François Marc Rémi"
    ),
    _w(
        "Marie Nathalie Isabelle Sylvie Catherine Françoise Valérie Christine Monique "
        "Sandrine Sophie Martine Nicole Céline Stéphanie Véronique Julie Aurélie Caroline "
        "Camille Léa Manon Chloé Emma Inès Jade Louise Alice Zoé Lina Anaïs Mathilde Élise "
        "Hélène Claire Pauline Margaux Océane Laure Agnès Brigitte Danielle Élodie Émilie "
        "Gaëlle Delphine Virginie Karine Audrey Amélie Marie-Claire Anne-Sophie Marie-Hélène "
        "Anne-Laure Éloïse Clémence Juliette Apolline Noémie Maëlle"
    ),
    _tail(
        _w(
            "Martin Bernard Dubois Thomas Robert Richard Petit Durand Leroy Moreau Simon "
            "Laurent Lefebvre Michel Garcia David Bertrand Roux Vincent Fournier Morel "
            "Girard André Lefèvre Mercier Dupont Lambert Bonnet François Martinez Legrand "
            "Garnier Faure Rousseau Blanc Guérin Muller Henry Roussel Nicolas Perrin Morin "
            "Mathieu Clément Gauthier Dumont Lopez Fontaine Chevalier Robin Masson Sanchez "
            "Gérard Nguyen Boyer Denis Lemaire Duval Joly Gautier Roger Roche Roy Noël Meyer "
            "Lucas Meunier Jean Perez Marchand Dufour Blanchard Marie Barbier Brun Dumas "
            "Brunet Schmitt Leroux Colin Fernandez Pierre Renard Arnaud Rolland Caron Aubert "
            "Giraud Leclerc Vidal Bourgeois Renaud Lemoine Picard Gaillard Philippe Leclercq "
            "Lacroix Fabre Dupuis Olivier Rodriguez Da_Silva Hubert Louis Charles Guillot "
            "Rivière Le_Gall Guillaume Adam Rey Moulin Gonzalez Berger Lecomte Ménard Fleury "
            "Deschamps Carpentier Julien Benoît Paris Maillard Marchal Aubry Vasseur Le_Roux "
            "Renault Jacquet Collet Prévost Poirier Charpentier Royer Huet Baron Dupuy Pons "
            "Paul Laine Carré Breton Rémy Schneider Perrot Guyot Barre Marty Cousin Le_Goff "
            "Le_Floch Kerouac Peeters Janssens Maes Jacobs Mertens Willems Claes Goossens "
            "Tremblay Gagnon Roy Côté Bouchard Gauthier Morin Lavoie Fortin Gagné Ouellet "
            "Pelletier Bélanger Lévesque Bergeron Leblanc Paquette Girard Simard Boucher "
            "Caron Beaulieu Cloutier Dubé Poirier Fournier Lapointe Leclerc Lefebvre Poulin"
        ),
        "Beau Belle Bon Champ Clair Cour Fon Gran Haut Mal Mont Roche Ville Vau Bois Pel "
        "Four Bour Dela Lebl Mor Char Chas Val Bel Ros Mar",
        "mont champ ville fort court lieu bert nier det chet lin ard ier ot eau",
    ),
    _nick(
        "Frédéric:Fred;Christophe:Chris,Tof;Nicolas:Nico;Dominique:Dom;Alexandre:Alex;"
        "Catherine:Cathy,Cath;Isabelle:Isa,Babette;Stéphanie:Steph,Fanny;Jean-Baptiste:"
        "JB;Jean-Pierre:JP;Véronique:Véro;Sébastien:Seb,Séba;Valérie:Val;Guillaume:Guigui,"
        "Will;Mathilde:Mathou;Élisabeth:Babette,Lisette,Élise;Jean-François:JF;Benoît:Ben;"
        "Thomas:Tom,Tomtom;Maxime:Max;Raphaël:Raph;Jean-Luc:JL;Stéphane:Steph;Antoine:"
        "Tony,Toinou;Jérôme:Jé;Cédric:Ced;Clément:Clem;Margaux:Margot;Camille:Cam;"
        "Anne-Sophie:Anso;Julien:Ju,Juju;Charlotte:Cha,Lolotte;Laurent:Lolo"
    ),
    _groups(
        "Lefebvre/Lefèvre/Lefevre/Lefeuvre;Éric/Eric/Erik;Stéphane/Stephane;"
        "François/Francois;Hélène/Helene;Le Gall/Legall/Le-Gall;Le Roux/Leroux;"
        "Da Silva/Dasilva;Benoît/Benoit"
    ),
)

SPANISH = Culture(
    "spanish",
    9.0,
    (("ES", 42), ("MX", 35), ("AR", 10), ("US", 13)),
    _w(
        "José Antonio Juan Manuel Francisco Luis Javier Carlos Miguel Jesús Alejandro Rafael "
        "Pedro Ángel Daniel Fernando Pablo Sergio Jorge Alberto David Ramón Enrique Andrés "
        "Diego Raúl Joaquín Santiago Eduardo Víctor Ignacio Roberto Óscar Alfonso Guillermo "
        "Gonzalo Rubén Adrián Iván Marcos Hugo Álvaro Mario Tomás Emilio Julio Salvador "
        "Gregorio Mateo Nicolás Sebastián Emiliano Leonardo Rodrigo Arturo Armando Ricardo "
        "José_Luis Juan_Carlos José_Manuel Juan_José Miguel_Ángel José_Antonio Luis_Miguel"
    ),
    _w(
        "María Carmen Ana Isabel Laura Cristina Marta Pilar Lucía Elena Rosa Paula Sara "
        "Dolores Mercedes Raquel Teresa Beatriz Silvia Julia Patricia Rocío Alba Andrea "
        "Irene Nuria Montserrat Concepción Rosario Josefa Francisca Encarnación Inmaculada "
        "Sofía Valentina Camila Ximena Guadalupe Gabriela Daniela Fernanda Alejandra "
        "Verónica Claudia Lorena Natalia Adriana Mariana Victoria Luciana Florencia "
        "Milagros Consuelo Esperanza Lourdes Ainhoa Itziar Nerea Begoña María_José "
        "Ana_María María_Carmen María_Teresa María_Isabel"
    ),
    _w(
        "García Rodríguez González Fernández López Martínez Sánchez Pérez Gómez Martín "
        "Jiménez Ruiz Hernández Díaz Moreno Muñoz Álvarez Romero Alonso Gutiérrez Navarro "
        "Torres Domínguez Vázquez Ramos Gil Ramírez Serrano Blanco Molina Morales Suárez "
        "Ortega Delgado Castro Ortiz Rubio Marín Sanz Núñez Iglesias Medina Garrido Cortés "
        "Castillo Santos Lozano Guerrero Cano Prieto Méndez Cruz Calvo Gallego Vidal León "
        "Márquez Herrera Peña Flores Cabrera Campos Vega Fuentes Carrasco Diez Reyes "
        "Caballero Nieto Aguilar Pascual Santana Herrero Montero Lorenzo Hidalgo Giménez "
        "Ibáñez Ferrer Durán Santiago Benítez Vargas Mora Vicente Arias Carmona Crespo "
        "Román Pastor Soto Sáez Velasco Moya Soler Parra Esteban Bravo Gallardo Rojas "
        "Pardo Merino Franco Espinosa Izquierdo Lara Rivas Silva Rivera Casado Arroyo "
        "Redondo Camacho Rey Vera Otero Luque Galán Montes Ríos Sierra Segura Carrillo "
        "Marcos Marín Soriano Mendoza Robles Bernal Vila Contreras Valencia Pacheco Guzmán "
        "Salazar Rosales Estrada Chávez Aguirre Velázquez Zamora Cervantes Sandoval Ochoa "
        "Valdez Ponce Ayala Cárdenas Ibarra Salinas Maldonado Trejo Villarreal Cisneros "
        "Mejía Ávila Miranda Acosta Quintero Olvera Villanueva Escobar Zapata Figueroa "
        "Aranda Bustamante Echeverría Etxeberria Goikoetxea Urrutia Aguirrezabal Arrieta "
        "Uribe Larrañaga Ferrándiz Puig Pujol Vilanova Casals Roca Font Sala Serra Bosch "
        "Batlle Ribas de_la_Cruz de_la_Fuente del_Río de_León de_la_Torre del_Valle "
        "de_los_Santos de_la_Rosa San_Martín Villalobos Bermúdez Quiroga Sepúlveda Alarcón "
        "Benavides Carvajal Cuevas Escudero Fajardo Lucena Manzano Meléndez Orozco Palacios "
        "Quesada Rosado Tapia Toledo Valverde Zambrano Barrientos Castañeda Covarrubias "
        "Galindo Hurtado Lizárraga Montoya Peralta Quiñones Saavedra Solís Treviño Urquiza "
        "Abad Acevedo Aguado Alcántara Alcaraz Almagro Amador Aparicio Aragón Arana Arenas Armas "
        "Arribas Asensio Baena Ballesteros Barragán Barrera Barroso Becerra Beltrán Benavente "
        "Blázquez Bonilla Borja Bueno Burgos Bustos Calderón Calero Cámara Campillo Cantero "
        "Carretero Casas Castaño Castellano Catalán Cebrián Cepeda Cid Cobo Collado Conde Corral "
        "Cuenca Díez Domingo Duque Egea Espejo Estévez Falcón Feliu Figueras Flórez Frías Gálvez "
        "Gamboa Garcés Gaspar Godoy Gordillo Granados Guardiola Guillén Heredia Herranz Hierro "
        "Jaén Jurado Lago Landa Lázaro Ledesma Lillo Llorente Macías Manzanares Mariscal Mata "
        "Mateo Maya Mejías Mesa Millán Miralles Molero Montalvo Morán Mosquera Navarrete Nieves "
        "Noguera Olmedo Osorio Padilla Palma Paredes Paz Pedrosa Peinado Perea Pineda Pizarro "
        "Polo Porras Portillo Pozo Prado Quintana Recio Requena Ribera Rico Rincón Roldán Rueda "
        "Ruano Salas Salcedo Salgado Sanabria Santamaría Solano Sosa Tejada Tirado Toro Trujillo "
        "Urbano Valero Valle Varela Vela Velasco Ventura Verdugo Villar Yáñez Zafra Zurita"
    ),
    _nick(
        "Francisco:Paco,Pancho,Curro,Fran,Quico;José:Pepe,Chepe;José Luis:Joselu,Pepelu;"
        "Guillermo:Memo,Guille;Enrique:Quique;Ignacio:Nacho;Manuel:Manolo,Manu;Alejandro:"
        "Alex,Ale,Jandro;Dolores:Lola,Loli;Concepción:Concha,Conchi;Jesús:Chuy,Chucho,"
        "Chus;Antonio:Toño,Toni,Antoñito;Rosario:Charo,Chayo;Mercedes:Merche,Meche;"
        "Roberto:Beto;Alberto:Beto,Albert;Eduardo:Lalo,Edu;Fernando:Nando,Fer;Santiago:"
        "Santi;Rafael:Rafa;Ramón:Moncho;Gregorio:Goyo;Isabel:Isa,Chabela;Consuelo:Chelo;"
        "Josefa:Pepa,Pepita;Ignacia:Nacha;Gonzalo:Gonza;Guadalupe:Lupe,Lupita;Ricardo:"
        "Richi;Federico:Fede;Sebastián:Sebas;Fernanda:Fer;Gabriela:Gabi;Daniela:Dani;"
        "María José:Majo;Montserrat:Montse;Inmaculada:Inma;Encarnación:Encarna;"
        "Francisca:Paqui,Paca;Ángel:Angelito;Nicolás:Nico;Cristina:Cris;Javier:Javi"
    ),
    _groups(
        "Rodríguez/Rodriguez;Jiménez/Jimenez/Ximénez;Giménez/Gimenez/Jiménez;"
        "Vázquez/Vasquez/Vazquez;Gutiérrez/Gutierrez;Ibáñez/Ibanez;Echeverría/Etxeberria/"
        "Echeverria/Chavarría;Sáez/Saenz/Sáenz;Díaz/Diaz/Dias"
    ),
    compound=0.55,
)

PORTUGUESE = Culture(
    "portuguese",
    6.0,
    (("BR", 68), ("PT", 27), ("US", 5)),
    _w(
        "João José Antônio Francisco Carlos Paulo Pedro Lucas Luiz Marcos Luís Gabriel "
        "Rafael Daniel Marcelo Bruno Eduardo Felipe Raimundo Rodrigo Manoel Mateus André "
        "Fernando Fábio Leonardo Gustavo Guilherme Leandro Tiago Anderson Ricardo Márcio "
        "Jorge Sebastião Alexandre Roberto Edson Diego Vitor Sérgio Cláudio Matheus Thiago "
        "Geraldo Adriano Luciano Júlio Renato Alex Vinícius Rogério Samuel Ronaldo Mário "
        "Flávio Igor Douglas Davi Heitor Bernardo Arthur Enzo Miguel Rui Nuno Duarte "
        "Gonçalo Afonso Tomás Martim Diogo"
    ),
    _w(
        "Maria Ana Francisca Antônia Adriana Juliana Márcia Fernanda Patrícia Aline Sandra "
        "Camila Amanda Bruna Jéssica Letícia Júlia Luciana Vanessa Mariana Gabriela Vera "
        "Vitória Larissa Cláudia Beatriz Rita Luana Sônia Renata Eliane Alice Laura Helena "
        "Valentina Sophia Isabela Manuela Lívia Heloísa Giovanna Raquel Débora Carolina "
        "Tatiana Simone Daniela Joana Inês Margarida Leonor Matilde Catarina Sofia Carla "
        "Filipa Teresa Conceição Fátima Graça"
    ),
    _w(
        "Silva Santos Oliveira Souza Rodrigues Ferreira Alves Pereira Lima Gomes Costa "
        "Ribeiro Martins Carvalho Almeida Lopes Soares Fernandes Vieira Barbosa Rocha Dias "
        "Nascimento Andrade Moreira Nunes Marques Machado Mendes Freitas Cardoso Ramos "
        "Gonçalves Santana Teixeira Araújo Pinto Correia Cavalcanti Monteiro Moura Batista "
        "Campos Sousa Reis Cruz Azevedo Borges Melo Miranda Jesus Castro Farias Pires "
        "Fonseca Tavares Coelho Duarte Leite Guimarães Macedo Brito Sampaio Queiroz Rezende "
        "Cunha Bezerra Medeiros Viana Xavier Pacheco Matos Magalhães Siqueira Figueiredo "
        "Ramalho Mota Neves Vasconcelos Antunes Paiva Peixoto Aguiar Sá Caldeira Lacerda "
        "Rangel Barros Bastos Amaral Fontes Brandão Prado Lins Chaves Sales Morais Couto "
        "Dantas Valente Esteves Loureiro Simões Carneiro Quintela Baptista Salgado Louro "
        "Mourão Cordeiro Gouveia Serrano Vaz Leal Branco Torres Camargo Assis Bueno "
        "Albuquerque Arruda Toledo Prates Vilela Uchoa Cerqueira Meireles Frota Tenório "
        "da_Silva dos_Santos de_Souza de_Oliveira da_Costa de_Almeida dos_Reis da_Cruz "
        "de_Jesus do_Nascimento da_Conceição de_Carvalho "
        "Abreu Alencar Alvarenga Amorim Aragão Arantes Assunção Ávila Bandeira Barreto Bento "
        "Bittencourt Boaventura Borba Braga Cabral Calado Campelo Cardim Carrilho Castanheira "
        "Cerveira Coutinho Dorneles Espíndola Faria Feitosa Fialho Franco Frazão Furtado Galvão "
        "Godinho Goulart Guedes Guerra Henriques Holanda Jardim Leão Leitão Lemos Lobo Lourenço "
        "Maia Malta Mascarenhas Mattos Menezes Mesquita Muniz Neto Nogueira Novaes Paixão "
        "Pimentel Pinheiro Portela Quaresma Rabelo Rebelo Resende Rios Rosário Seixas Serpa "
        "Silveira Teles Valadares Varela Veloso Ventura Vilaça Zanetti Bragança Cotrim Damasceno "
        "Escobar Falcão Fagundes Gusmão Junqueira Lustosa Magno Meirelles Nóbrega Pacheco Prestes "
        "Quintanilha Sobral Tamborim Vidigal"
    ),
    _nick(
        "Francisco:Chico,Xico;José:Zé,Zezinho;Eduardo:Dudu,Edu;Ricardo:Rica,Ricardinho;"
        "Roberto:Beto;Gabriel:Gabi,Biel;Fernanda:Nanda,Fê;Rafael:Rafa;Alexandre:Xande,"
        "Alê;Carlos:Cacá,Carlinhos;Guilherme:Gui;Antônio:Tonho,Toninho;Luiz:Lula,Luizinho;"
        "Marcelo:Celo;Vinícius:Vini;Leonardo:Léo;Mateus:Teteu;Gustavo:Guga,Gu;Rodrigo:"
        "Digão,Rodriguinho;Mariana:Mari;Juliana:Ju;Isabela:Bela,Isa;Beatriz:Bia;Carolina:"
        "Carol;Gabriela:Gabi;Maria:Mari,Maricota;Patrícia:Paty;Joana:Jô;Catarina:Cat;"
        "Margarida:Guida;Tiago:Ti;Fábio:Fabinho;Henrique:Rique"
    ),
    _groups(
        "Souza/Sousa;Luiz/Luis/Luís;Antônio/António/Antonio;Gonçalves/Goncalves;"
        "Tiago/Thiago;Mateus/Matheus;Vitor/Victor;Manoel/Manuel;Baptista/Batista;"
        "Isabela/Isabella;Sophia/Sofia;Giovanna/Geovana;Araújo/Araujo"
    ),
    compound=0.5,
)

ITALIAN = Culture(
    "italian",
    6.0,
    (("IT", 85), ("CH", 5), ("US", 10)),
    _w(
        "Giuseppe Giovanni Antonio Mario Luigi Francesco Angelo Vincenzo Pietro Salvatore "
        "Carlo Franco Domenico Bruno Paolo Michele Giorgio Giancarlo Stefano Roberto Marco "
        "Alessandro Andrea Luca Matteo Lorenzo Leonardo Davide Simone Federico Riccardo "
        "Gabriele Tommaso Emanuele Filippo Nicola Daniele Massimo Fabio Claudio Sergio "
        "Maurizio Enrico Alberto Giacomo Edoardo Cristian Dario Raffaele Gennaro Ciro "
        "Rocco Fabrizio Gianluca Pierluigi Gianfranco Ettore Renato Umberto Vittorio"
    ),
    _w(
        "Maria Anna Giuseppina Rosa Angela Giovanna Teresa Lucia Carmela Caterina Francesca "
        "Antonietta Carla Elena Concetta Rita Margherita Franca Paola Laura Giulia Sofia "
        "Aurora Alice Ginevra Emma Giorgia Martina Chiara Sara Valentina Federica Alessia "
        "Silvia Elisa Roberta Monica Cristina Daniela Simona Barbara Claudia Serena "
        "Stefania Ilaria Beatrice Arianna Camilla Noemi Vittoria Gabriella Patrizia "
        "Donatella Loredana Raffaella Annalisa Mariangela Benedetta Ludovica"
    ),
    _w(
        "Rossi Russo Ferrari Esposito Bianchi Romano Colombo Ricci Marino Greco Bruno Gallo "
        "Conti De_Luca Mancini Costa Giordano Rizzo Lombardi Moretti Barbieri Fontana "
        "Santoro Mariani Rinaldi Caruso Ferrara Galli Martini Leone Longo Gentile Martinelli "
        "Vitale Lombardo Serra Coppola De_Santis D'Angelo Marchetti Parisi Villa Conte "
        "Ferraro Ferri Fabbri Bianco Marini Grasso Valentini Messina Sala De_Angelis Gatti "
        "Pellegrini Palumbo Sanna Farina Rizzi Monti Cattaneo Morelli Amato Silvestri Mazza "
        "Testa Grassi Pellegrino Carbone Giuliani Benedetti Barone Rossetti Caputo "
        "Montanari Guerra Palmieri Bernardi Martino Fiore De_Rosa Ferretti Bellini Basile "
        "Riva Donati Piras Vitali Battaglia Sartori Neri Costantini Milani Pagano Ruggiero "
        "Sorrentino D'Amico Orlando Negri Mele Longhi Gallo Cirillo Ferrante Bassi Orlandi "
        "Marras Mariotti Bonetti Poli Morandi Melis Zanetti Pace Gentili Giorgi Mancuso "
        "Brambilla Ruggeri Fumagalli Colonna Bertolini Cocco Mantovani Zanella Bonomi "
        "Fabbro Pozzi Ferrero Tedesco Carli Guidi Grillo Sartori Bianchini Fiorentino "
        "Bonanno Caputo Scotti Marchi Rota Monaco Marchese Lupo Ventura Bruni Ferraris "
        "Tosi Lombardini Lorusso D'Alessandro Di_Stefano Di_Pietro Di_Giovanni Lo_Russo "
        "La_Rosa Lo_Presti Dell'Acqua Dalla_Costa Del_Vecchio Del_Monte Abate Accardi "
        "Agostini Albanese Alessi Angelini Antonelli Arena Aurelio Baldi Barbato Bellucci "
        "Benini Berti Bevilacqua Bianconi Bonfiglio Borrelli Brunetti Calabrese Capuano "
        "Carboni Carrara Casagrande Castelli Cavallaro Celentano Cerutti Chiesa Cimino "
        "Colella Corsi Cozzolino Crippa D'Onofrio Esposti Fadda Fantoni Ferrucci Folli "
        "Gagliardi Galante Gallina Garofalo Gatto Ghirardi Giannini Guarino Iacobelli "
        "Inzaghi Lanza Leonardi Mazzoleni Meloni Migliore Mosca Nardi Olivieri Paolini "
        "Pastore Perrone Piccolo Pisano Porcu Prete Quaranta Rampazzo Rosati Salerno "
        "Santini Sardo Savino Spina Stella Tagliaferri Tarantino Trevisan Vaccaro Zanon"
    ),
    _nick(
        "Giuseppe:Beppe,Peppe,Pino,Peppino;Francesco:Checco,Franco,Cesco,Ciccio;"
        "Giovanni:Gianni,Vanni,Nanni;Antonio:Tonio,Totò,Nino,Tonino;Salvatore:Totò,Turi,"
        "Salvo;Alessandro:Sandro,Ale;Roberto:Berto,Robi;Domenico:Mimmo,Mimì;Vincenzo:"
        "Enzo,Vince;Luigi:Gigi,Gino;Margherita:Rita,Ghita;Francesca:Franca,Cecca,Fra;"
        "Elisabetta:Betta,Elisa;Giuseppina:Pina,Peppina,Giusy;Gianluca:Luca;Federico:"
        "Fede;Emanuele:Manu,Lele;Gabriele:Lele,Gabri;Massimo:Max,Massi;Lorenzo:Lollo,"
        "Renzo;Tommaso:Tommy,Tom;Riccardo:Ricky,Rick;Alessandra:Ale,Sandra;Valentina:"
        "Vale;Federica:Fede;Caterina:Cate,Rina;Raffaele:Lello,Raffa;Andrea:Andre;Leonardo:"
        "Leo;Matteo:Teo;Daniele:Dani;Stefano:Ste,Stefi;Teresa:Tesa,Teresina;Beatrice:Bea"
    ),
    _groups(
        "D'Angelo/DAngelo/D Angelo/Dangelo;De Luca/DeLuca/Deluca;D'Amico/DAmico/Damico;"
        "De Santis/DeSantis/Desantis;Di Stefano/DiStefano/Distefano;Lo Russo/LoRusso/"
        "Lorusso"
    ),
)

DUTCH_NORDIC = Culture(
    "dutch_nordic",
    4.0,
    (("NL", 40), ("BE", 10), ("SE", 30), ("DK", 20)),
    _w(
        "Jan Pieter Johannes Hendrik Cornelis Willem Gerrit Dirk Sander Bas Daan Sem Lars "
        "Erik Karl Anders Johan Per Nils Björn Sven Mikael Magnus Oskar Henrik Søren "
        "Rasmus Mads Frederik Thijs Ruben Jesse Joost Koen Maarten Stijn Wouter Jeroen"
    ),
    _w(
        "Anna Maria Johanna Lieke Anouk Femke Marloes Sanne Eva Emma Sophie Julia Lotte "
        "Fleur Saskia Ingrid Karin Kristina Lena Sara Astrid Åsa Linnéa Maja Elsa Ebba "
        "Wilma Freja Ida Mette Sofie Camilla Kirsten Hanne Birgitte Noor Esmée Mirjam"
    ),
    _tail(
        _w(
            "de_Jong Jansen de_Vries van_den_Berg van_Dijk Bakker Janssen Visser Smit Meijer "
            "de_Boer Mulder de_Groot Bos Vos Peters Hendriks van_Leeuwen Dekker Brouwer de_Wit "
            "Dijkstra Smits de_Graaf van_der_Meer van_der_Linden Kok Jacobs de_Haan Vermeulen "
            "van_den_Heuvel van_der_Veen van_den_Broek de_Bruijn van_der_Heijden Schouten "
            "van_Beek Willems van_Vliet van_de_Ven Hoekstra Maas Verhoeven Koster van_Dam "
            "van_der_Berg Prins Blom Huisman Peeters Janssens Maes Andersson Johansson "
            "Karlsson Nilsson Eriksson Larsson Olsson Persson Svensson Gustafsson Pettersson "
            "Jonsson Lindberg Lindström Lindqvist Lindgren Berg Bergström Lundberg Lundgren "
            "Sjöberg Engström Eklund Björk Bergman Holm Nyström Söderberg Nyberg Hansen "
            "Jensen Nielsen Pedersen Andersen Christensen Larsen Sørensen Rasmussen "
            "Jørgensen Petersen Madsen Kristensen Olsen Thomsen Poulsen Johansen Møller "
            "Mortensen Kjær Dahl Lund Holmberg Åberg Ekström Hedlund Sandberg Forsberg "
            "Wallin Ström Falk Blomqvist"
        ),
        "Berg Lind Holm Sand Ek Sjö Norr Söder Väster Öster Lund Dahl Strand Fors Hag Nord "
        "Björk Ask Al Gran Rosen Lil Stor Wester",
        "berg ström qvist gren lund dahl holm man sson by vik",
    ),
    _nick(
        "Johannes:Hans,Jan,Hannes;Willem:Wim,Pim;Hendrik:Henk,Rik;Cornelis:Kees,Cor;"
        "Pieter:Piet;Johanna:Anneke,Jo;Gerrit:Gert;Frederik:Frits,Freek;Mikael:Micke;"
        "Magnus:Mange;Kristina:Stina,Kicki;Henrik:Henke;Sander:Sandy;Maarten:Maart"
    ),
    _groups(
        "de Jong/De Jong/DeJong/Dejong;van den Berg/Van den Berg/Vandenberg/van der Berg;"
        "van Dijk/Van Dijk/Vandijk/van Dyk;de Vries/De Vries/Devries;Andersson/Anderson;"
        "Johansson/Johanson;Lindqvist/Lindquist/Lindkvist;Sørensen/Sorensen/Soerensen;"
        "Møller/Moller/Moeller;Jørgensen/Jorgensen/Joergensen"
    ),
)

POLISH = Culture(
    "polish",
    4.0,
    (("PL", 85), ("GB", 8), ("DE", 7)),
    _w(
        "Piotr Krzysztof Andrzej Tomasz Paweł Jan Michał Marcin Grzegorz Józef Łukasz Adam "
        "Zbigniew Jerzy Tadeusz Mateusz Dariusz Mariusz Wojciech Ryszard Jakub Kazimierz "
        "Marek Rafał Stanisław Robert Kamil Damian Bartosz Maciej Sebastian Dawid Przemysław "
        "Szymon Patryk Filip Mirosław Jacek Artur Leszek Henryk Sławomir Karol"
    ),
    _w(
        "Anna Maria Katarzyna Małgorzata Agnieszka Krystyna Barbara Ewa Elżbieta Zofia "
        "Janina Teresa Joanna Magdalena Monika Jadwiga Danuta Irena Halina Helena Beata "
        "Aleksandra Marta Dorota Jolanta Karolina Natalia Justyna Alicja Paulina Weronika "
        "Julia Zuzanna Maja Lena Oliwia Gabriela Wiktoria Iwona Grażyna Urszula Bożena"
    ),
    _tail(
        _w(
            "Nowak Kowalski Wiśniewski Wójcik Kowalczyk Kamiński Lewandowski Zieliński "
            "Szymański Woźniak Dąbrowski Kozłowski Jankowski Mazur Wojciechowski Kwiatkowski "
            "Krawczyk Kaczmarek Piotrowski Grabowski Zając Pawłowski Michalski Król "
            "Wieczorek Jabłoński Wróbel Nowakowski Majewski Olszewski Stępień Malinowski "
            "Jaworski Adamczyk Dudek Nowicki Pawlak Górski Witkowski Walczak Sikora Baran "
            "Rutkowski Michalak Szewczyk Ostrowski Tomaszewski Pietrzak Zalewski Wróblewski "
            "Marciniak Jasiński Zawadzki Bąk Jakubowski Sadowski Duda Włodarczyk Wilk "
            "Chmielewski Borkowski Sokołowski Szczepański Sawicki Lis Kucharski Kalinowski "
            "Wysocki Mazurek Kubiak Maciejewski Czarnecki Kołodziej Szulc Błaszczyk "
            "Mroczek Czerwiński Urbański Głowacki Zakrzewski Krajewski Gajewski Szczepaniak"
        ),
        "Nowak Kowal Wiśniew Lewandow Zieliń Szymań Dąbrow Kozłow Jankow Grabow Pawłow "
        "Michal Jabłoń Majew Olszew Malinow Jawor Górs Witkow Rutkow Ostrow Tomaszew "
        "Zalew Sadow Borkow Sokołow Kalinow Maciejew Czarnec Zakrzew Krajew Gajew Brzezin "
        "Chojnac Dobrow Gołęb Kosiń Lipiń Orłow Przybyl Radomski Stawic Trzcin Wasilew",
        "ski czyk ak ek owicz iak",
    ),
    _nick(
        "Jakub:Kuba,Kubuś;Małgorzata:Gosia,Małgosia;Katarzyna:Kasia,Kaśka;Aleksandra:Ola,"
        "Ala;Agnieszka:Aga,Agnes;Wojciech:Wojtek;Krzysztof:Krzyś,Krzysiek,Chris;Grzegorz:"
        "Grzesiek,Greg;Tomasz:Tomek;Piotr:Piotrek,Peter;Michał:Michu;Joanna:Asia;"
        "Magdalena:Magda;Barbara:Basia;Zofia:Zosia;Józef:Józek;Stanisław:Staszek,Stan;"
        "Elżbieta:Ela;Anna:Ania,Anka;Maria:Marysia;Jan:Janek;Mateusz:Mati;Bartosz:Bartek;"
        "Przemysław:Przemek;Mirosław:Mirek;Zbigniew:Zbyszek;Ryszard:Rysiek;Jerzy:Jurek;"
        "Łukasz:Luke;Paweł:Paul;Dorota:Dorotka;Weronika:Wera;Zuzanna:Zuza"
    ),
    _groups(
        "Wiśniewski/Wisniewski/Vishnevsky;Wójcik/Wojcik/Voycik;Łukasz/Lukasz/Lucas;"
        "Michał/Michal;Paweł/Pawel;Dąbrowski/Dabrowski/Dombrowski;Woźniak/Wozniak"
    ),
)

HUNGARIAN = Culture(
    "hungarian",
    1.5,
    (("HU", 90), ("AT", 5), ("DE", 5)),
    _w(
        "László István József János Zoltán Sándor Gábor Ferenc Attila Péter Tamás Zsolt "
        "Tibor András Csaba Imre Lajos György Balázs Róbert Dániel Bence Máté Levente Ádám"
    ),
    _w(
        "Mária Erzsébet Katalin Ilona Éva Anna Zsuzsanna Margit Judit Ágnes Andrea Erika "
        "Krisztina Irén Eszter Orsolya Tímea Nikolett Viktória Anita Dóra Réka Zsófia Hanna"
    ),
    _w(
        "Nagy Kovács Tóth Szabó Horváth Varga Kiss Molnár Németh Farkas Balogh Papp "
        "Takács Juhász Lakatos Mészáros Oláh Simon Rácz Fekete Szilágyi Török Fehér "
        "Balázs Gál Kis Szűcs Kocsis Orsós Pintér Fodor Szalai Sipos Magyar Lukács Gulyás "
        "Biró Király Balog László Katona Jakab Bogdán Sándor Boros Fazekas Kelemen Antal "
        "Somogyi Orosz Fülöp Veres Budai Vincze Hegedűs Deák Pap Bálint Illés Pál Vass "
        "Szőke Fábián Vörös Lengyel Bognár Bodnár Szűts Hajdu Halász Jónás Kozma Máté "
        "Ács Bakó Bakos Bánki Barta Benkő Berényi Bogár Csizmadia Csonka Dobos Erdős Faragó "
        "Gáspár Gergely Győri Hegyi Kardos Károlyi Kende Kun Lőrincz Márton Mohácsi Nemes Novák "
        "Pásztor Péter Pócsi Rigó Sárközi Szabados Szekeres Szénási Tamás Váradi Vida Virág "
        "Zsigmond Zöld Bárány Bozsó Czakó Demeter Egri Fenyő Gönczi Hollósi Ignácz Jenei Kertész "
        "Laczkó Medve Nyári Orbán Pataki Rózsa Sebők Soós Szép Tarján Ujvári"
    ),
    _nick(
        "László:Laci;István:Pista,Pisti;József:Jóska,Józsi;János:Jancsi;Zoltán:Zoli;"
        "Sándor:Sanyi;Gábor:Gabi;Ferenc:Feri;Erzsébet:Erzsi,Zsóka;Katalin:Kati,Kata;"
        "Zsuzsanna:Zsuzsa,Zsuzsi;Mária:Mari,Marika;Tamás:Tomi;György:Gyuri;András:Bandi"
    ),
    family_first=True,
    surname_q=4.0,
)

TURKISH = Culture(
    "turkish",
    3.0,
    (("TR", 75), ("DE", 18), ("NL", 4), ("AT", 3)),
    _w(
        "Mehmet Mustafa Ahmet Ali Hüseyin Hasan İbrahim İsmail Osman Yusuf Murat Ömer "
        "Ramazan Halil Süleyman Abdullah Mahmut Recep Salih Fatih Kadir Emre Burak Serkan "
        "Kemal Orhan Yaşar Erkan Volkan Cem Can Barış Oğuz Tolga Kaan Emir Eymen Berat "
        "Mert Onur Hakan Gökhan Selim Tarık Uğur"
    ),
    _w(
        "Fatma Ayşe Emine Hatice Zeynep Elif Meryem Şerife Zehra Sultan Hanife Merve Özlem "
        "Esra Yasemin Hülya Derya Büşra Ebru Gül Leyla Sibel Songül Tuğba Aslı Seda Melek "
        "Nur Defne Ecrin Azra Eylül Ceren İrem Gamze Dilek Pınar Sevgi Nesrin"
    ),
    _tail(
        _w(
            "Yılmaz Kaya Demir Şahin Çelik Yıldız Yıldırım Öztürk Aydın Özdemir Arslan "
            "Doğan Kılıç Aslan Çetin Kara Koç Kurt Özkan Şimşek Polat Özcan Korkmaz Çakır "
            "Erdoğan Yavuz Can Acar Şen Aktaş Güler Yalçın Güneş Bozkurt Bulut Keskin Ünal "
            "Turan Gül Özer Işık Kaplan Avcı Sarı Tekin Taş Köse Yüksel Ateş Aksoy Ekinci "
            "Karaca Bayram Uçar Duman Uysal Altun Erdem Tunç Durmaz Toprak Akın Başaran "
            "Güven Karakaya Çiftçi Kocabaş Sönmez Tuncer Yücel Aydoğan Karataş Coşkun"
        ),
        "Kara Ak Öz Er Gök Ay Yıl Kar Tek Bay Gün Demir Altın Taş Kaya Deniz Çam Tan",
        "oğlu er türk kaya han soy can dağ el",
    ),
    _nick(
        "Mehmet:Memo;Mustafa:Musti;Hüseyin:Hüso;Abdullah:Apo;Ahmet:Ahmo;Zeynep:Zeyno;"
        "Fatma:Fato;Emine:Emo;Süleyman:Süleyo;İbrahim:İbo;Yusuf:Yuso"
    ),
    _groups(
        "Mehmet/Mehmed/Muhammed;Hüseyin/Huseyin/Hussein;Yusuf/Yousuf/Jusuf;"
        "Ömer/Omer/Oemer/Umar;Şahin/Sahin/Schahin;Öztürk/Ozturk/Oeztuerk;"
        "Çelik/Celik/Tschelik;Yılmaz/Yilmaz;Doğan/Dogan;Kılıç/Kilic"
    ),
)

ARABIC = Culture(
    "arabic",
    4.0,
    (("EG", 22), ("AE", 14), ("SA", 14), ("MA", 15), ("FR", 15), ("GB", 10), ("US", 10)),
    _w(
        "Mohammed Ahmed Ali Mahmoud Mustafa Hassan Hussein Omar Ibrahim Youssef Khaled "
        "Abdullah Abdelrahman Karim Tarek Amr Hamza Samir Rami Nabil Walid Sami Adel Fadi "
        "Hisham Ziad Bilal Tariq Salim Yasser Jamal Faisal Nasser Rashid Majid Saeed "
        "Sultan Hamad Abdulaziz Fahad Mansour Anas Idris Mehdi Rachid Abdelkader Driss"
    ),
    _w(
        "Fatima Aisha Maryam Nour Layla Sara Hana Yasmin Amira Salma Rania Dina Reem "
        "Noura Huda Mona Heba Zainab Khadija Asmaa Iman Samira Nadia Leila Rana Lina "
        "Dalia Ghada Hind Laila Souad Najat Malak Jana Farah Rim Zahra Latifa Meriem"
    ),
    _w(
        "Al-Hassan Mohamed Ahmed Hassan Ali Ibrahim Mahmoud Abdullah El-Sayed Mostafa "
        "Hussein Khalil Haddad Khoury Mansour Nasser Saleh Hamdan Al-Mansouri Al-Qahtani "
        "Al-Otaibi Al-Ghamdi Al-Zahrani Al-Harbi Al-Shehri Al-Dosari Al-Mutairi Al-Shamsi "
        "Al-Falasi Al-Nuaimi Al-Maktoum Al-Suwaidi Al-Mazrouei El-Masry Abdel-Aziz "
        "Abdelkader Benali Bennani Alaoui Idrissi El_Amrani Tazi Berrada Chraibi Benjelloun "
        "Fassi Belkacem Bouzid Benyoussef Ben_Ahmed Ben_Salah Amrani Lahlou Cherkaoui "
        "Ouali Ziani Rahmani Said Farouk Gamal Fawzi Shaker Zaki Naguib Habib Rizk Salem "
        "Osman Suleiman Yassin Darwish Barakat Qasim Jaber Awad Hamid Karam Nassar Najjar "
        "Sabbagh Tamimi Masri Halabi Shami Bakr Hijazi Kanaan Atallah Azzam Bitar Dajani "
        "Ghanem Hamdi Issa Jaafar Kassem Mahfouz Nasrallah Qureshi Rahal Sabry Taha "
        "Wahba Yacoub Zayed "
        "Al-Ahmadi Al-Amin Al-Anzi Al-Awadi Al-Baghdadi Al-Bakri Al-Balushi Al-Busaidi Al-Hakim "
        "Al-Hashimi Al-Hinai Al-Kaabi Al-Khatib Al-Kuwari Al-Marri Al-Mulla Al-Naqbi Al-Qasimi "
        "Al-Rashid Al-Rumaihi Al-Saadi Al-Sharif Al-Shehhi Al-Subaie Al-Thani Al-Yamani Al-Zaabi "
        "Abboud Abdo Antoun Asfour Ayoub Azar Baroud Boutros Chahine Dabbagh Daher Fakhoury Farah "
        "Ghosn Hajj Hanna Helou Jabbour Kassab Khalaf Khalifa Maalouf Matar Mourad Nakhleh Obeid "
        "Saab Sfeir Shammas Tannous Touma Zein Zoghbi Bensaid Bouazza Chaoui Hammoudi Kabbaj "
        "Lamrani Mernissi Naciri Ouazzani Sqalli Tahiri Yacoubi Zerouali Abdelaziz Abdelhamid "
        "Abdelmalek Bouchareb Hadj Mebarki Saidi Slimani Zidane Boudiaf Kaddour Larbi Messaoudi "
        "Rahmouni Tlemcani"
    ),
    _nick(
        "Mohammed:Mo,Hamoudi,Moe;Abdullah:Abdo,Abboud;Abdelrahman:Abdo,Rahman;Ibrahim:"
        "Bob,Hima;Mustafa:Moustafa,Mossy;Youssef:Joe,Jo;Fatima:Fatma,Titi;Khaled:Khalood;"
        "Ahmed:Hamada;Mahmoud:Hoda;Hassan:Hass;Omar:Omi;Aisha:Ash;Maryam:Mimi"
    ),
    _groups(
        "Mohammed/Muhammad/Mohamed/Mohammad/Mohamad/Muhammed;Ahmed/Ahmad/Ahmet;"
        "Youssef/Yusuf/Yousef/Yousif/Youcef/Joseph;Hussein/Hussain/Husain/Hossein/Husein;"
        "Abdullah/Abdallah/Abd Allah/Abdulla;Khaled/Khalid/Chaled;Omar/Umar/Omer;"
        "Hassan/Hasan/Hacen;Mustafa/Mostafa/Moustafa/Mostapha;Ibrahim/Ebrahim/Brahim;"
        "Saeed/Said/Sayed/Saïd;Abdelrahman/Abdul Rahman/Abdulrahman/Abderrahmane;"
        "Fatima/Fatma/Fatimah/Fatema;Aisha/Aicha/Ayesha/Aysha;Nour/Noor/Nur;"
        "Layla/Leila/Laila/Leyla;Tarek/Tariq/Tarik;Yasser/Yasir/Yaser;Rachid/Rashid/"
        "Rasheed;Karim/Kareem;Jamal/Gamal;Qasim/Kassem/Kasim;Zainab/Zaynab/Zeinab;"
        "Al-Hassan/Alhassan/El Hassan/Al Hassan/El-Hassan;El-Sayed/Elsayed/El Sayed/"
        "Al-Sayed;Al-Mansouri/Almansoori/Al Mansoori/Al-Mansoori;Al-Qahtani/Alqahtani/"
        "Al Qahtani;Abdel-Aziz/Abdelaziz/Abdul Aziz/Abdulaziz;Ben Ahmed/Benahmed"
    ),
    _native(
        "Mohammed=محمد Ahmed=أحمد Ali=علي Mahmoud=محمود Mustafa=مصطفى Hassan=حسن "
        "Hussein=حسين Omar=عمر Ibrahim=إبراهيم Youssef=يوسف Khaled=خالد Abdullah=عبدالله "
        "Fatima=فاطمة Aisha=عائشة Maryam=مريم Nour=نور Layla=ليلى Sara=سارة Hana=هناء "
        "Yasmin=ياسمين Amira=أميرة Salma=سلمى Al-Hassan=الحسن Haddad=حداد Khoury=خوري "
        "Mansour=منصور Nasser=ناصر Saleh=صالح Al-Qahtani=القحطاني Al-Otaibi=العتيبي "
        "Al-Ghamdi=الغامدي El-Sayed=السيد Karim=كريم Tarek=طارق Zainab=زينب Reem=ريم"
    ),
    script="arabic",
    surname_q=8.0,
)

// Real places the sandbox inventory is built on: cities with their countries,
// IANA time zones, the names people also use for them, a few real streets and
// districts (for plausible addresses and hotel names), a price level, and
// their airports with IATA codes, names and coordinates (for flight times).
// Reference data, not generated; everything else in the inventory is.

export interface AirportPlace {
  iata: string;
  name: string;
  lat: number;
  lon: number;
}

export interface CityPlace {
  name: string;
  countryCode: string;
  countryName: string;
  timeZone: string;
  /** Other names people search for ("NYC", "Lisboa"). */
  aliases: string[];
  /** How expensive hotels are there; 1 is average. */
  priceLevel: number;
  /** Real streets; the house number goes after the name when numberLast. */
  streets: string[];
  numberLast: boolean;
  /** Districts and landmarks, used in hotel names. */
  districts: string[];
  airports: AirportPlace[];
}

type Row = [
  name: string,
  countryCode: string,
  countryName: string,
  timeZone: string,
  aliases: string[],
  priceLevel: number,
  numberLast: boolean,
  streets: string[],
  districts: string[],
  airports: [string, string, number, number][],
];

// Order matters: the demo takes the first 20; tests take the first few.
const ROWS: Row[] = [
  ["Lisbon", "PT", "Portugal", "Europe/Lisbon", ["Lisboa"], 0.9, true,
    ["Avenida da Liberdade", "Rua Augusta", "Rua Garrett", "Rua do Ouro", "Avenida da República"],
    ["Chiado", "Alfama", "Baixa", "Belém", "Tejo", "Príncipe Real"],
    [["LIS", "Humberto Delgado", 38.7742, -9.1342]]],
  ["Porto", "PT", "Portugal", "Europe/Lisbon", ["Oporto"], 0.8, true,
    ["Rua das Flores", "Avenida dos Aliados", "Rua de Santa Catarina", "Rua de Cedofeita"],
    ["Ribeira", "Douro", "Foz", "Bolhão", "Boavista"],
    [["OPO", "Francisco Sá Carneiro", 41.2481, -8.6814]]],
  ["Madrid", "ES", "Spain", "Europe/Madrid", [], 1.0, true,
    ["Gran Vía", "Calle de Alcalá", "Paseo del Prado", "Calle Mayor", "Calle de Serrano"],
    ["Sol", "Retiro", "Salamanca", "Chueca", "La Latina", "Prado"],
    [["MAD", "Adolfo Suárez Madrid–Barajas", 40.4719, -3.5626]]],
  ["Barcelona", "ES", "Spain", "Europe/Madrid", ["Barna", "BCN"], 1.05, true,
    ["Passeig de Gràcia", "La Rambla", "Carrer de Balmes", "Avinguda Diagonal", "Carrer de Pelai"],
    ["Gràcia", "Born", "Eixample", "Barceloneta", "Gòtic", "Montjuïc"],
    [["BCN", "Josep Tarradellas Barcelona–El Prat", 41.2971, 2.0785]]],
  ["Paris", "FR", "France", "Europe/Paris", ["Paname", "Ville Lumière"], 1.3, false,
    ["Rue de Rivoli", "Boulevard Haussmann", "Rue Saint-Honoré", "Avenue des Champs-Élysées", "Rue de la Paix"],
    ["Marais", "Montmartre", "Saint-Germain", "Opéra", "Louvre", "Bastille"],
    [["CDG", "Charles de Gaulle", 49.0097, 2.5479], ["ORY", "Orly", 48.7233, 2.3794]]],
  ["London", "GB", "United Kingdom", "Europe/London", ["LDN", "Londres"], 1.45, false,
    ["Oxford Street", "Piccadilly", "The Strand", "Baker Street", "King's Road", "Kensington High Street"],
    ["Soho", "Covent Garden", "Mayfair", "Camden", "Shoreditch", "Southbank"],
    [["LHR", "Heathrow", 51.47, -0.4543], ["LGW", "Gatwick", 51.1537, -0.1821], ["STN", "Stansted", 51.886, 0.2389]]],
  ["Rome", "IT", "Italy", "Europe/Rome", ["Roma"], 1.1, true,
    ["Via del Corso", "Via Veneto", "Via Nazionale", "Via Condotti", "Via Cavour"],
    ["Trastevere", "Colosseo", "Pantheon", "Navona", "Monti", "Spagna"],
    [["FCO", "Leonardo da Vinci–Fiumicino", 41.8003, 12.2389], ["CIA", "Ciampino", 41.7994, 12.5949]]],
  ["Milan", "IT", "Italy", "Europe/Rome", ["Milano"], 1.15, true,
    ["Via Montenapoleone", "Corso Buenos Aires", "Via Torino", "Corso Como", "Via Dante"],
    ["Brera", "Duomo", "Navigli", "Porta Nuova", "Isola"],
    [["MXP", "Malpensa", 45.6306, 8.7281], ["LIN", "Linate", 45.4451, 9.2767]]],
  ["Berlin", "DE", "Germany", "Europe/Berlin", [], 0.95, true,
    ["Unter den Linden", "Kurfürstendamm", "Friedrichstraße", "Torstraße", "Oranienburger Straße"],
    ["Mitte", "Kreuzberg", "Prenzlauer Berg", "Charlottenburg", "Spree", "Tiergarten"],
    [["BER", "Berlin Brandenburg", 52.3667, 13.5033]]],
  ["Munich", "DE", "Germany", "Europe/Berlin", ["München", "Muenchen"], 1.1, true,
    ["Maximilianstraße", "Leopoldstraße", "Sendlinger Straße", "Kaufingerstraße"],
    ["Altstadt", "Schwabing", "Isar", "Marienplatz", "Haidhausen"],
    [["MUC", "Munich Franz Josef Strauss", 48.3538, 11.7861]]],
  ["Amsterdam", "NL", "Netherlands", "Europe/Amsterdam", ["Mokum", "A'dam"], 1.3, true,
    ["Damrak", "Prinsengracht", "Herengracht", "Kalverstraat", "Rokin"],
    ["Jordaan", "De Pijp", "Canal", "Amstel", "Vondelpark", "Dam"],
    [["AMS", "Schiphol", 52.3105, 4.7683]]],
  ["Vienna", "AT", "Austria", "Europe/Vienna", ["Wien"], 1.0, true,
    ["Kärntner Straße", "Graben", "Mariahilfer Straße", "Rotenturmstraße", "Schubertring"],
    ["Ring", "Stephansplatz", "Belvedere", "Hofburg", "Naschmarkt"],
    [["VIE", "Vienna International", 48.1103, 16.5697]]],
  ["Prague", "CZ", "Czechia", "Europe/Prague", ["Praha", "Prag"], 0.75, true,
    ["Václavské náměstí", "Národní", "Pařížská", "Karlova", "Na Příkopě"],
    ["Old Town", "Malá Strana", "Vltava", "Vinohrady", "Charles Bridge"],
    [["PRG", "Václav Havel", 50.1008, 14.26]]],
  ["Athens", "GR", "Greece", "Europe/Athens", ["Athina", "Athína"], 0.85, true,
    ["Ermou", "Panepistimiou", "Vasilissis Sofias", "Adrianou", "Stadiou"],
    ["Plaka", "Acropolis", "Syntagma", "Kolonaki", "Monastiraki"],
    [["ATH", "Eleftherios Venizelos", 37.9364, 23.9445]]],
  ["Istanbul", "TR", "Türkiye", "Europe/Istanbul", ["İstanbul", "Stamboul"], 0.7, true,
    ["İstiklal Caddesi", "Divan Yolu", "Bağdat Caddesi", "Cumhuriyet Caddesi"],
    ["Sultanahmet", "Beyoğlu", "Bosphorus", "Galata", "Kadıköy", "Taksim"],
    [["IST", "Istanbul", 41.2753, 28.7519], ["SAW", "Sabiha Gökçen", 40.8986, 29.3092]]],
  ["Dublin", "IE", "Ireland", "Europe/Dublin", ["Baile Átha Cliath"], 1.2, false,
    ["O'Connell Street", "Grafton Street", "Dame Street", "Camden Street", "Baggot Street"],
    ["Temple Bar", "Liffey", "St Stephen's Green", "Docklands", "Ballsbridge"],
    [["DUB", "Dublin", 53.4264, -6.2499]]],
  ["Copenhagen", "DK", "Denmark", "Europe/Copenhagen", ["København", "Kobenhavn"], 1.3, true,
    ["Strøget", "Nyhavn", "Vesterbrogade", "Bredgade", "Nørrebrogade"],
    ["Indre By", "Vesterbro", "Tivoli", "Christianshavn", "Østerbro"],
    [["CPH", "Copenhagen Kastrup", 55.618, 12.6508]]],
  ["New York", "US", "United States", "America/New_York", ["NY", "NYC", "New York City", "Big Apple"], 1.6, false,
    ["Fifth Avenue", "Broadway", "Lexington Avenue", "Madison Avenue", "West 44th Street", "Park Avenue"],
    ["Manhattan", "Midtown", "SoHo", "Chelsea", "Times Square", "Brooklyn"],
    [["JFK", "John F. Kennedy International", 40.6413, -73.7781],
      ["EWR", "Newark Liberty International", 40.6895, -74.1745], ["LGA", "LaGuardia", 40.7769, -73.874]]],
  ["Miami", "US", "United States", "America/New_York", ["Magic City"], 1.25, false,
    ["Collins Avenue", "Ocean Drive", "Brickell Avenue", "Biscayne Boulevard", "Washington Avenue"],
    ["South Beach", "Brickell", "Wynwood", "Coconut Grove", "Little Havana"],
    [["MIA", "Miami International", 25.7959, -80.287]]],
  ["Tokyo", "JP", "Japan", "Asia/Tokyo", ["Tokio", "東京"], 1.2, true,
    ["Ginza 4-chome", "Shinjuku 3-chome", "Roppongi 6-chome", "Asakusa 2-chome", "Shibuya 1-chome"],
    ["Ginza", "Shinjuku", "Shibuya", "Asakusa", "Ueno", "Akasaka"],
    [["HND", "Haneda", 35.5494, 139.7798], ["NRT", "Narita", 35.772, 140.3929]]],
  ["Dubai", "AE", "United Arab Emirates", "Asia/Dubai", ["Dubayy"], 1.3, false,
    ["Sheikh Zayed Road", "Al Wasl Road", "Jumeirah Beach Road", "Al Maktoum Road"],
    ["Marina", "Jumeirah", "Deira", "Downtown", "Palm"],
    [["DXB", "Dubai International", 25.2532, 55.3657]]],
  ["Singapore", "SG", "Singapore", "Asia/Singapore", ["Singapura", "Lion City"], 1.35, false,
    ["Orchard Road", "Beach Road", "Bras Basah Road", "Robinson Road", "Bencoolen Street"],
    ["Marina Bay", "Orchard", "Chinatown", "Sentosa", "Clarke Quay"],
    [["SIN", "Changi", 1.3644, 103.9915]]],
  ["Bangkok", "TH", "Thailand", "Asia/Bangkok", ["Krung Thep"], 0.6, false,
    ["Sukhumvit Road", "Silom Road", "Rama IV Road", "Khao San Road", "Ratchadamri Road"],
    ["Riverside", "Sukhumvit", "Silom", "Siam", "Chinatown"],
    [["BKK", "Suvarnabhumi", 13.69, 100.7501], ["DMK", "Don Mueang", 13.9126, 100.6068]]],
  ["Marrakesh", "MA", "Morocco", "Africa/Casablanca", ["Marrakech", "Red City"], 0.65, false,
    ["Avenue Mohammed V", "Rue de la Liberté", "Avenue Hassan II", "Derb Dabachi"],
    ["Medina", "Gueliz", "Hivernage", "Kasbah", "Majorelle"],
    [["RAK", "Marrakesh Menara", 31.6069, -8.0363]]],
];

/** Every city the sandbox knows, in a fixed order. */
export function cityPlaces(): CityPlace[] {
  return ROWS.map(([name, countryCode, countryName, timeZone, aliases, priceLevel, numberLast, streets, districts, airports]) => ({
    name,
    countryCode,
    countryName,
    timeZone,
    aliases,
    priceLevel,
    numberLast,
    streets,
    districts,
    airports: airports.map(([iata, airportName, lat, lon]) => ({ iata, name: airportName, lat, lon })),
  }));
}

/** "New York", "US" → "new-york-us"; "São Paulo" → "sao-paulo-br". */
export function citySlug(name: string, countryCode: string): string {
  const base = name
    .normalize("NFD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-|-$/g, "");
  return `${base}-${countryCode.toLowerCase()}`;
}

/** Great-circle distance in km (haversine). */
export function distanceKm(a: { lat: number; lon: number }, b: { lat: number; lon: number }): number {
  const rad = Math.PI / 180;
  const dLat = (b.lat - a.lat) * rad;
  const dLon = (b.lon - a.lon) * rad;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a.lat * rad) * Math.cos(b.lat * rad) * Math.sin(dLon / 2) ** 2;
  return 2 * 6371 * Math.asin(Math.sqrt(h));
}
